"""
Create a moderator: a staff account in the Moderators group.

At a terminal the password is asked for twice. Without one (a script, a
deployment job), ``--noinput`` reads it from DJANGO_MODERATOR_PASSWORD, as
Django's createsuperuser reads DJANGO_SUPERUSER_PASSWORD; without either, the
command stops with one line saying so, before it touches the database.

The new moderator enrols their second factor at their first sign-in
(stories/signin/): the command says so, and where.
"""

import getpass
import os
import sys

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from stories.moderators import MODERATORS_GROUP, sync_moderators_group
from stories.signin.middleware import two_factor_required

PASSWORD_VARIABLE = "DJANGO_MODERATOR_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create a moderator: a staff account in the Moderators group, able to review "
        "stories in the admin but not to manage users. The password is asked for, or read "
        f"from the {PASSWORD_VARIABLE} environment variable with --noinput."
    )
    # call_command(..., stdin=...) stands in for the terminal in tests, as for createsuperuser.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"Ask nothing: the password comes from {PASSWORD_VARIABLE}.",
        )

    def handle(self, *args, username, email, interactive, **options):
        if interactive:
            password = self.ask_password(options.get("stdin", sys.stdin))
        else:
            password = os.environ.get(PASSWORD_VARIABLE)
            if not password:
                raise CommandError(f"No password: set {PASSWORD_VARIABLE} to use --noinput.")
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user called {username!r} already exists.")
        user = User(username=username, email=email, is_staff=True)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        user.set_password(password)
        user.save()
        sync_moderators_group()
        user.groups.add(Group.objects.get(name=MODERATORS_GROUP))
        self.stdout.write(self.style.SUCCESS(f"Moderator {username!r} created."))
        enrolment = reverse("two-factor-enrol")
        if two_factor_required():
            self.stdout.write(
                f"At their first sign-in at /admin/ they set up two-factor sign-in: an "
                f"authenticator app on their phone (any that makes time-based codes) scans "
                f"the key shown at {enrolment}, they type its code, and keep the ten "
                f"recovery codes shown once."
            )
        else:
            self.stdout.write(
                f"Sign in at /admin/. Two-factor sign-in is offered, not required, on this "
                f"site (no HTTPS, or STAFF_TWO_FACTOR=offered); set it up at {enrolment}. "
                f"Production asks for it at the first sign-in."
            )

    def ask_password(self, stdin):
        # getpass without a terminal would read the password from a pipe, in the
        # clear, or die at its end with a traceback.
        if not stdin.isatty():
            raise CommandError(
                f"No terminal to ask for a password: set {PASSWORD_VARIABLE} and use --noinput."
            )
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt):
            raise CommandError("No password given; no moderator created.") from None
        if password != again:
            raise CommandError("The two passwords differ.")
        if not password:
            raise CommandError("The password cannot be empty.")
        return password
