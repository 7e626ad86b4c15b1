import getpass
import os

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from stories.moderators import MODERATORS_GROUP, sync_moderators_group


class Command(BaseCommand):
    help = (
        "Create a moderator: a staff account in the Moderators group, able to review "
        "stories in the admin but not to manage users. The password is asked for, or read "
        "from the MODERATOR_PASSWORD environment variable with --no-input."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--no-input", action="store_true", dest="no_input")

    def handle(self, *args, username, email, no_input, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user called {username!r} already exists.")
        password = os.environ.get("MODERATOR_PASSWORD") if no_input else self.ask_password()
        if not password:
            raise CommandError("No password: set MODERATOR_PASSWORD or run without --no-input.")
        user = User(username=username, email=email, is_staff=True)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        user.set_password(password)
        user.save()
        sync_moderators_group()
        user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
        self.stdout.write(
            self.style.SUCCESS(f"Moderator {username!r} created. Sign in at /admin/.")
        )

    def ask_password(self):
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
