"""Who may register a location on a host whose integration carries a credential.

The catalog reads such a location with the integration's credential (a token, a GitHub App
installation, an SSH deploy key), not the person's own, so whoever registers it brings into the
catalog whatever that credential can read. ``CATALOG_CREDENTIALED_HOST_REGISTRATION`` says who may:
``admins`` (the default: platform admins only), ``signed-in`` (anyone signed in), or a
comma-separated list of group names whose members may, besides the platform admins. Hosts without
an integration credential are not concerned. The register page, ``POST /locations`` (with its dry
run), ``PUT /locations/{id}`` and ``analyze-location`` all ask ``credentialed_host_refusal``.
"""

from __future__ import annotations

from django.conf import settings

from portal.permissions import is_platform_admin

from .config import reader_policy
from .formats.readers import githttp, gitssh, parse_git_target
from .services.locations import LocationSpec

ADMINS = "admins"
SIGNED_IN = "signed-in"


def credentialed_integration(spec: LocationSpec) -> str | None:
    """The label (``github[0]``) of the integration whose credential would read ``spec``, or None."""
    if spec.type != "url":
        return None
    try:
        target = parse_git_target(spec.target)
    except ValueError:
        return None
    policy = reader_policy()
    if target.transport == "https":
        credential = githttp.credential_for(policy, target.clone_url)
        if credential is not None and (credential.authorization or credential.source is not None):
            return credential.label
    elif target.transport == "ssh":
        ssh = gitssh.credential_for(target.host, policy.ssh_credentials)
        if ssh is not None and ssh.private_key:
            return ssh.label
    return None


def may_register_on_credentialed_hosts(user) -> bool:
    """Whether ``user`` may register locations that an integration's credential reads."""
    if is_platform_admin(user):
        return True
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    rule = [item.strip() for item in settings.CATALOG_CREDENTIALED_HOST_REGISTRATION.split(",") if item.strip()]
    if rule in ([], [ADMINS]):
        return False
    if rule == [SIGNED_IN]:
        return True
    return user.groups.filter(name__in=rule).exists()


def credentialed_host_refusal(user, spec: LocationSpec) -> str:
    """Why ``user`` may not register ``spec`` (empty when they may)."""
    label = credentialed_integration(spec)
    if label is None or may_register_on_credentialed_hosts(user):
        return ""
    target = parse_git_target(spec.target)
    host = f"{target.host}:{target.port}" if target.port else target.host
    return (
        f"{host} is read with the credential of integration {label}, so only platform admins may register "
        "locations on it (CATALOG_CREDENTIALED_HOST_REGISTRATION); ask a platform admin to register it"
    )
