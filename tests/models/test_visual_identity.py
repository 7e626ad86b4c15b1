"""A perspective's colour and mark, a theme's pattern, a story's pull quote, and the theme
compared across perspectives (Theme.voices)."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from stories.models import Colour, Mark, Pattern, Perspective, Story, Theme
from stories.models.palette import HEX, contrast
from stories.models.quoting import found_in
from stories.safety import shield

from ..factories import LONG_BODY, give_recording, make_published, make_story

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "static"
# The page's backgrounds, as site.css names them.
BACKGROUNDS = {"--paper": "#fbf8f2", "--panel": "#f1ece2", "--card": "#ffffff"}


def css_tokens():
    css = (STATIC / "css" / "site.css").read_text()
    tokens = dict(re.findall(r"(--[a-z-]+):\s*(#[0-9a-f]{6}|#[0-9a-f]{3})\b", css))
    # "#fff" is "#ffffff".
    return {
        name: "#" + "".join(c * 2 for c in value[1:]) if len(value) == 4 else value
        for name, value in tokens.items()
    }


def test_every_colour_of_the_palette_reads_as_text_on_every_background():
    tokens = css_tokens()
    for name, background in BACKGROUNDS.items():
        assert tokens[name] == background, name
    for colour in Colour:
        # The same hex in the model's palette and in the stylesheet's token.
        assert tokens[f"--persp-{colour.value}"] == HEX[colour]
        for background in BACKGROUNDS.values():
            assert contrast(HEX[colour], background) >= 4.5, (colour, background)


def test_contrast_is_wcag_contrast():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48


def test_every_mark_and_pattern_is_a_drawing_in_the_repository():
    for mark in Mark:
        drawing = (STATIC / "img" / "marks" / f"{mark.value}.svg").read_text()
        assert drawing.startswith("<svg") and "<image" not in drawing, mark
        assert f".mark-{mark.value} " in (STATIC / "css" / "site.css").read_text(), mark
    for pattern in Pattern:
        drawing = (STATIC / "img" / "patterns" / f"{pattern.value}.svg").read_text()
        assert drawing.startswith("<svg") and "<image" not in drawing, pattern


def test_the_seeded_perspectives_each_have_their_own_colour_and_mark():
    perspectives = list(Perspective.objects.all())
    assert len(perspectives) == 6
    assert len({p.colour for p in perspectives}) == 6
    assert len({p.mark for p in perspectives}) == 6
    assert Perspective.objects.get(slug="advocates").mark == Mark.CIRCLE
    patterns = list(Theme.objects.values_list("pattern", flat=True))
    assert len(set(patterns)) == len(patterns) == 12


def test_a_colour_or_mark_outside_the_palette_is_refused():
    perspective = Perspective.objects.get(slug="critics")
    perspective.colour = "#ff0000"
    with pytest.raises(ValidationError) as refused:
        perspective.full_clean()
    assert "colour" in refused.value.message_dict
    perspective.colour, perspective.mark = Colour.TEAL, "portrait"
    with pytest.raises(ValidationError) as refused:
        perspective.full_clean()
    assert "mark" in refused.value.message_dict


def test_a_quote_is_found_ignoring_case_spaces_and_quotation_marks():
    body = 'She said: "Nobody asked for anything\nbut her name." Then she left.'
    assert found_in("nobody asked for anything but her name.", [body])
    assert found_in("“Nobody asked for anything  but her name.”", [body])
    assert not found_in("Nobody asked for papers.", [body])
    assert not found_in("  ", [body])


def test_a_quote_must_be_words_of_the_story():
    story = make_story()
    story.quote = "The nurse spoke Spanish and nobody asked for anything but her name."
    story.full_clean()
    story.quote = "The nurse asked for her papers."
    with pytest.raises(ValidationError) as refused:
        story.full_clean()
    assert refused.value.message_dict["quote"] == [
        "The quote must be words of the story itself: copy one sentence from its text or "
        "its transcript."
    ]
    story.quote = "x" * 281
    with pytest.raises(ValidationError) as refused:
        story.full_clean()
    assert "quote" in refused.value.message_dict


def test_a_quote_may_come_from_the_transcript_of_a_story_told_aloud():
    story = make_story(body="")
    give_recording(story, transcript=[(0, "I waited two years. Then I called the clinic.")])
    story.quote = "Then I called the clinic."
    story.full_clean()


def test_the_identity_shield_reads_the_quote():
    assert "quote" in shield.SHIELDED_FIELDS
    story = make_story(body=LONG_BODY + " Call me at 323-555-0187 any day.")
    story.quote = "Call me at 323-555-0187 any day."
    story.save()
    assert "quote" in {finding.field for finding in story.shield_findings()}


def test_a_theme_quotes_each_perspective_from_its_featured_story_else_its_newest():
    old = make_published(title="Old and featured", perspective="critics", themes=["legal-aid"])
    Story.objects.filter(pk=old.pk).update(
        featured=True, published_at=timezone.now() - datetime.timedelta(days=30)
    )
    make_published(title="Newest critic", perspective="critics", themes=["legal-aid"])
    make_published(title="Only advocate", perspective="advocates", themes=["legal-aid"])
    make_published(title="Elsewhere", perspective="residents", themes=["belonging"])
    voices = Theme.objects.get(slug="legal-aid").voices(
        Perspective.objects.all(), per_perspective=3
    )
    titles = dict(Story.objects.values_list("pk", "title"))
    quoted = {voice.perspective.slug: titles.get(voice.quoted_id) for voice in voices}
    assert quoted["critics"] == "Old and featured"
    assert quoted["advocates"] == "Only advocate"
    assert quoted["residents"] is None
    critics = next(voice for voice in voices if voice.perspective.slug == "critics")
    assert [titles[pk] for pk in critics.story_ids] == ["Newest critic", "Old and featured"]
    assert critics.total == 2


def test_a_hidden_story_is_never_quoted():
    make_published(title="Public", perspective="critics", themes=["legal-aid"])
    hidden = make_story(title="Pending", perspective="critics", themes=["legal-aid"])
    Story.objects.filter(pk=hidden.pk).update(featured=True)
    voices = Theme.objects.get(slug="legal-aid").voices(
        Perspective.objects.all(), per_perspective=3
    )
    assert {v.quoted_id for v in voices if v.quoted_id} == set(
        Story.objects.filter(title="Public").values_list("pk", flat=True)
    )
