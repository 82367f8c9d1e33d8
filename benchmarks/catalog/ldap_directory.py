"""Generated LDIF organisations for the LDAP benchmark and tests: ``inetOrgPerson`` users, nested ``groupOfNames``."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .slapd import SUFFIX

PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"


@dataclass
class Directory:
    """What was generated: the LDIF, and each group's member DNs."""

    ldif: str
    users: list[str] = field(default_factory=list)
    groups: dict[str, list[str]] = field(default_factory=dict)


def user_dn(uid: str) -> str:
    return f"uid={uid},{PEOPLE}"


def group_dn(cn: str) -> str:
    return f"cn={cn},{GROUPS}"


def organisation(users: int, levels: tuple[int, ...], *, seed: int = 7, employee_numbers: bool = False) -> Directory:
    """``users`` people and groups nested ``len(levels)`` deep (``levels[i]`` groups at depth i).

    Each group below the top is a member of one group a level up; each user is a member of one to
    three groups of the deepest level, and every deepest group gets at least one user.
    """
    rng = random.Random(seed)
    lines = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example\n",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n",
    ]
    directory = Directory("")
    for index in range(users):
        uid = f"user{index:06d}"
        directory.users.append(uid)
        extra = f"employeeNumber: emp-{index:06d}\n" if employee_numbers else ""
        lines.append(
            f"dn: {user_dn(uid)}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: User {index}\nsn: {index}\n"
            f"mail: {uid}@example.org\n{extra}"
        )
    tiers: list[list[str]] = []
    for depth, count in enumerate(levels):
        tiers.append([f"team-{depth}-{index:04d}" for index in range(count)])
    members: dict[str, list[str]] = {name: [] for tier in tiers for name in tier}
    for depth in range(1, len(tiers)):
        for index, name in enumerate(tiers[depth]):
            parent = tiers[depth - 1][index % len(tiers[depth - 1])]
            members[parent].append(group_dn(name))
    leaves = tiers[-1]
    for index, uid in enumerate(directory.users):
        chosen = {leaves[index % len(leaves)], *rng.sample(leaves, rng.randint(0, 2))}
        for leaf in sorted(chosen):
            members[leaf].append(user_dn(uid))
    for name, member_dns in members.items():
        directory.groups[name] = member_dns
        body = "".join(f"member: {dn}\n" for dn in member_dns)
        lines.append(f"dn: {group_dn(name)}\nobjectClass: groupOfNames\ncn: {name}\ndescription: Team {name}\n{body}")
    directory.ldif = "\n".join(lines)
    return directory
