"""`manage.py api_token USERNAME`: print a new working API token of the person (for scripts and benchmarks)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from security.choices import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS
from security.services import api_token_create, token_expiry


class Command(BaseCommand):
    help = "Create an API token of USERNAME and print its key (it is not stored: copy it now)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="manage.py api_token", help="What the token is for.")
        parser.add_argument(
            "--days", type=int, default=TOKEN_DEFAULT_DAYS, help=f"Lifetime in days (at most {TOKEN_MAX_DAYS})."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}")
        if not user.is_active:
            raise CommandError(f"{options['username']!r} is deactivated: a token of theirs would not work.")
        try:
            _, key = api_token_create(owner=user, name=options["name"], expires_at=token_expiry(days=options["days"]))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(key)
