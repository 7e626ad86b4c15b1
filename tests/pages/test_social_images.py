"""The link-preview images: drawn for every perspective and theme, committed, and used."""

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings

from stories.management.commands.draw_social_images import pictures
from stories.models import Perspective, Theme

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def png_size(path):
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")


def test_a_picture_for_the_site_each_perspective_and_each_theme():
    drawn = dict(pictures())
    expected = {
        "site.png",
        *(f"perspective-{slug}.png" for slug in Perspective.objects.values_list("slug", flat=True)),
        *(f"theme-{slug}.png" for slug in Theme.objects.values_list("slug", flat=True)),
    }
    assert set(drawn) == expected
    city = ET.fromstring(drawn["perspective-city-officials.png"])
    words = " ".join(city.itertext())
    assert "City officials" in words and "Funcionarios municipales" in words
    assert "PERSPECTIVES · PERSPECTIVAS" in words
    # Shapes and words only: nothing fetched, nothing run, no picture of anyone.
    tags = {element.tag.removeprefix(SVG) for element in city.iter()}
    assert tags <= {"svg", "rect", "circle", "path", "g", "text", "tspan"}
    assert city.get("width") == "1200" and city.get("height") == "630"


def test_a_name_is_text_in_the_picture_whatever_it_holds():
    Theme.objects.create(name='Raids <script>&"', slug="raids", name_es="Redadas")
    drawn = dict(pictures())["theme-raids.png"]
    assert 'Raids <script>&"' in " ".join(ET.fromstring(drawn).itertext())


def test_the_committed_images_are_1200_by_630():
    folder = Path(settings.BASE_DIR) / "static/img/social"
    for name in dict(pictures()):
        assert png_size(folder / name) == (1200, 630), name
