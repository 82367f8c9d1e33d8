from django.core.management.base import BaseCommand, CommandError

from catalog.lookups.name_matches import find_entities
from catalog.lookups.ownership import MAX_PAGE, owner_lookup


class Command(BaseCommand):
    help = "Who owns NAME (a component, API, system or resource), how to reach them, and what breaks with it."

    def add_arguments(self, parser):
        parser.add_argument("name", help="a name or entity ref, e.g. payments-api or component:default/web")
        parser.add_argument(
            "--dependents", type=int, default=15, help=f"how many dependents to list (at most {MAX_PAGE})"
        )

    def handle(self, *args, name: str, dependents: int, **options):
        matches = find_entities(name)
        if not matches:
            raise CommandError(f"nothing in the catalog is called {name!r}")
        entity = matches[0]
        answer = owner_lookup(entity, limit=min(max(dependents, 1), MAX_PAGE))
        write = self.stdout.write
        write(f"{answer['entity']['entityRef']}  ({answer['entity']['title']})")
        owner = answer["owner"]
        if owner is None:
            write(f"owner:    none ({answer['ownerMissing']})")
        else:
            write(
                f"owner:    {owner['entityRef']}  {owner['displayName']}"
                + (f"  <{owner['email']}>" if owner["email"] else "")
            )
            for parent in owner["parents"]:
                write(f"escalate: {parent['entityRef']}")
            for member in owner["members"]:
                write(f"member:   {member['entityRef']}" + (f"  <{member['email']}>" if member["email"] else ""))
            if owner["memberCount"] > len(owner["members"]):
                write(f"members:  {owner['memberCount'] - len(owner['members'])} more")
        for contact in answer["contacts"]:
            write(f"contact:  {contact['key']} = {contact['value']}  (on {contact['entityRef']})")
        items = answer["dependents"]["items"]
        more = answer["dependents"]["hasMore"] or answer["dependents"]["truncated"]
        write(f"breaks with it: {len(items)}{' or more' if more else ''}")
        for item in items:
            hops = f"{item['depth']} hop{'s' if item['depth'] > 1 else ''}"
            write(f"  {hops}  {item['entityRef']}  owner {item['ownerRef'] or '-'}")
        if len(matches) > 1:
            write("also matching: " + ", ".join(match.ref for match in matches[1:]))
