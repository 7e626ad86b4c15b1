"""The privacy table (stories/safety/privacy.py) is complete, and every list of fields reads it.

A new field of a model holding narrator words or hashes fails here until the
table says who may see it and what erasure does with it; the public mapping,
the shield, the admin and the leak test take exactly the table's sets.
"""

import pytest
from django.apps import apps
from django.contrib.admin.utils import flatten_fieldsets

from stories.admin.stories import StoryAdmin
from stories.models import Story
from stories.opendata import records
from stories.safety import privacy, shield

from ..factories import make_story
from ..readers import secret_values

pytestmark = pytest.mark.django_db


def test_every_field_of_a_model_holding_narrator_words_is_in_the_privacy_table():
    unclassified = [
        f"{name}.{field.name}"
        for name in privacy.NARRATOR_MODELS
        for field in apps.get_model("stories", name)._meta.concrete_fields
        if field.name not in privacy.TABLE[name]
    ]
    assert not unclassified, (
        "Say in stories.safety.privacy.TABLE who may see, and what erasure does with: "
        + ", ".join(unclassified)
    )


def test_the_privacy_table_names_only_fields_that_exist():
    for name, fields in privacy.TABLE.items():
        model = apps.get_model("stories", name)
        assert set(fields) <= {field.name for field in model._meta.concrete_fields}, name


def test_the_public_mapping_copies_exactly_the_public_fields_of_a_story_and_its_recording():
    story_columns = {f for f in records.PUBLIC_STORY_FIELDS if "__" not in f}
    recording_columns = {
        f.removeprefix("recording__")
        for f in records.PUBLIC_STORY_FIELDS
        if f.startswith("recording__")
    }
    assert story_columns == {
        Story._meta.get_field(name).attname
        for name, field in privacy.TABLE["Story"].items()
        if field.visibility in (privacy.PUBLIC, privacy.PUBLIC_UNLESS_ANONYMOUS)
    }
    assert recording_columns == {"id", "story_id", "mime_type", "duration", "size", "cleared_at"}
    assert recording_columns == set(privacy.public_columns(apps.get_model("stories", "Recording")))


def test_the_shield_checks_exactly_the_shielded_fields_of_a_story():
    shielded = [name for name, field in privacy.TABLE["Story"].items() if field.shielded]
    assert list(shield.SHIELDED_FIELDS) == shielded
    # And a story's own texts the shield reads are those (besides its transcript's).
    assert set(make_story().shielded_texts()) == set(shielded)


def test_what_the_shield_reads_goes_at_erasure():
    for name, fields in privacy.TABLE.items():
        for field_name, field in fields.items():
            if field.shielded:
                assert not isinstance(field.erasure, privacy.Kept), f"{name}.{field_name}"


def test_the_leak_test_looks_for_every_secret_field_of_every_row():
    story = Story(
        narrator_name="Rosa Anon",
        is_anonymous=True,
        suggested_theme="zq-theme",
        contact_email="zq@example.org",
        moderator_notes="zq notes",
        submission_hash="a" * 64,
        withdrawal_token_hash="b" * 64,
        submitter_hash="c" * 64,
    )
    assert set(secret_values(Story, [story])) == {
        "Rosa Anon",
        "zq-theme",
        "zq@example.org",
        "zq notes",
        "a" * 64,
        "b" * 64,
        "c" * 64,
    }
    story.is_anonymous = False  # a name the narrator chose to show is no secret
    assert "Rosa Anon" not in set(secret_values(Story, [story]))


def test_the_admin_shows_read_only_every_story_field_moderators_may_not_edit():
    shown = flatten_fieldsets(StoryAdmin.fieldsets)
    table = privacy.TABLE["Story"]
    for name in shown:
        if name in table:
            assert (name in StoryAdmin.readonly_fields) != table[name].edited_by_moderators, name
    private_section = dict(StoryAdmin.fieldsets)["Private: moderators only"]["fields"]
    for name in private_section:
        assert table["consent" if name == "consent_text" else name].visibility == privacy.PRIVATE


def test_the_voice_choice_is_read_by_the_public_record_and_holds_no_words():
    """What a narrator chose for a recording decides what is public, so the public
    record loads it (no query per story); it is a choice, kept when a story is erased."""
    voice = privacy.TABLE["Story"]["voice"]
    assert voice.visibility == privacy.PUBLIC
    assert isinstance(voice.erasure, privacy.Kept) and not voice.edited_by_moderators
    assert "voice" in records.PUBLIC_STORY_FIELDS
    assert "voice" in StoryAdmin.readonly_fields or "voice" not in flatten_fieldsets(
        StoryAdmin.fieldsets
    )
