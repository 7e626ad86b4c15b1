"""What the recording tests share."""

import tempfile

import pytest


@pytest.fixture
def temporary_directory(tmp_path, monkeypatch):
    """Temporary files go to a directory of the test's own, to see that none is left behind."""
    directory = tmp_path / "temporary"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    return directory
