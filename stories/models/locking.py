"""
The one way a row that others may be changing at the same moment is changed:
locked and read again, changed in one transaction, and the result copied back
onto the caller's instance (``LockedChanges.locked``). Story's workflow,
redaction, erasure and featuring use it, and so does clearing a recording.
"""

from contextlib import contextmanager

from django.db import transaction


class StaleVersion(Exception):
    """The row changed after the moderator's page read it: their change was not made."""


class LockedChanges:
    """A model whose changes are made on its row, locked and read again (``locked()``)."""

    @contextmanager
    def locked(self):
        """This row, locked (``select_for_update``) and read again, to change in one transaction.

        Two moderators acting on the same row at once take turns: the second
        one's change is checked against the first one's result, not against the
        page they had read. Once the transaction commits, this instance takes
        every field of the row as the change left it; if the change raises,
        the transaction rolls back and this instance is left as it was.
        """
        with transaction.atomic():
            row = type(self)._default_manager.select_for_update().get(pk=self.pk)
            yield row
        self.take_fields_of(row)

    @contextmanager
    def locked_as_seen(self, version_seen):
        """``locked()``, refused with ``StaleVersion`` unless the row is at ``version_seen``.

        For a model with a ``version`` raised by every save (Story): a page
        carries the version it showed, and a change made from it over someone
        else's newer one would undo theirs unseen.
        """
        with self.locked() as row:
            if row.version != version_seen:
                raise StaleVersion
            yield row

    def take_fields_of(self, row):
        for field in self._meta.concrete_fields:
            setattr(self, field.attname, getattr(row, field.attname))
