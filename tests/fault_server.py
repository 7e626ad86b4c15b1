"""
gunicorn settings for the fault test (tests/test_faults.py): the project's
own gunicorn.conf.py, plus a pause inside the submission transaction.

Test-only, and loaded only by that test (``gunicorn -c tests/fault_server.py``):
when a narrator's story whose title holds PAUSE_MARKER has been inserted, and
before its themes and its first moderation event are, the worker writes its
process id to ``$FAULT_PAUSE_DIR/paused`` and sleeps, so the test can kill it
with SIGKILL in the middle of the write.
"""

import os
import time
from pathlib import Path

PAUSE_MARKER = "[pause here]"

# The project's settings, as `make serve` uses them.
exec(Path(__file__).resolve().parent.parent.joinpath("gunicorn.conf.py").read_text())


def post_worker_init(worker):
    from django.db.models.signals import post_save

    from stories.models import Story

    def pause_mid_write(sender, instance, created, **kwargs):
        if created and PAUSE_MARKER in instance.title:
            pause_dir = Path(os.environ["FAULT_PAUSE_DIR"])
            (pause_dir / "paused").write_text(str(os.getpid()))
            time.sleep(120)

    post_save.connect(pause_mid_write, sender=Story, weak=False)
