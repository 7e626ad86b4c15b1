"""createmoderator: a password asked for at a terminal, or read from the environment."""

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from stories.moderators import MODERATORS_GROUP


class NotATerminal(io.StringIO):
    def isatty(self):
        return False


@pytest.mark.django_db
@pytest.mark.parametrize("flag", ["--noinput", "--no-input"])
def test_noinput_takes_the_password_from_django_moderator_password(
    monkeypatch, django_user_model, flag
):
    monkeypatch.setenv("DJANGO_MODERATOR_PASSWORD", "a-long-and-good-passphrase")
    call_command("createmoderator", "ana", flag)
    user = django_user_model.objects.get(username="ana")
    assert user.check_password("a-long-and-good-passphrase")
    assert user.groups.filter(name=MODERATORS_GROUP).exists()


@pytest.mark.django_db
def test_noinput_without_a_password_is_one_line_and_creates_no_one(monkeypatch, django_user_model):
    monkeypatch.delenv("DJANGO_MODERATOR_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DJANGO_MODERATOR_PASSWORD") as refused:
        call_command("createmoderator", "ana", "--noinput")
    assert "\n" not in str(refused.value)
    assert not django_user_model.objects.exists()


@pytest.mark.django_db
def test_without_a_terminal_it_says_how_to_give_the_password(monkeypatch, django_user_model):
    monkeypatch.delenv("DJANGO_MODERATOR_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="--noinput") as refused:
        call_command("createmoderator", "ana", stdin=NotATerminal())
    assert "\n" not in str(refused.value)
    assert not django_user_model.objects.exists()


@pytest.mark.django_db
def test_run_without_a_terminal_it_exits_1_with_one_line_and_no_traceback(tmp_path):
    environment = {
        **os.environ,
        "PYTHONPATH": str(settings.BASE_DIR),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    environment.pop("DJANGO_MODERATOR_PASSWORD", None)
    finished = subprocess.run(
        [sys.executable, "manage.py", "createmoderator", "ana"],
        cwd=settings.BASE_DIR,
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 1
    assert "Traceback" not in finished.stderr
    assert finished.stderr.strip().count("\n") == 0
    assert "DJANGO_MODERATOR_PASSWORD" in finished.stderr
