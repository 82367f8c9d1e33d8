from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from portal.services.tokens import issue_token


class Command(BaseCommand):
    help = (
        "Issue an API token for a user and print it, alone, on stdout "
        "(e.g. TOKEN=$(manage.py issue_token ci)). The token is not stored and cannot be shown again."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="the user (or service account) the token acts as")
        parser.add_argument("--name", default="issued with manage.py issue_token", help="a label for the token")
        parser.add_argument(
            "--create-user",
            action="store_true",
            help="create the user if missing, as a service account (no usable password)",
        )
        parser.add_argument("--expires-days", type=int, metavar="N", help="the token stops working after N days")

    def handle(self, *args, username: str, name: str, create_user: bool, expires_days: int | None, **options):
        if expires_days is not None and expires_days < 1:
            raise CommandError(f"--expires-days must be a positive number of days, not {expires_days}")
        expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
        user_model = get_user_model()
        with transaction.atomic():
            user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
            if user is None:
                if not create_user:
                    raise CommandError(f"no user named '{username}' (add --create-user to make a service account)")
                user = user_model._default_manager.create_user(**{user_model.USERNAME_FIELD: username})
                self.stderr.write(f"created service account '{username}'")
            if not user.is_active:
                raise CommandError(f"user '{username}' is inactive; its tokens would be refused")
            token, plain_token = issue_token(user, name, expires_at=expires_at)
        # stdout carries the token alone so scripts can capture it; everything else goes to stderr.
        self.stdout.write(plain_token)
        expiry = f", expires {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else ""
        self.stderr.write(f"issued API token {token.prefix}… '{name}' for '{username}'{expiry}")
