"""The link-preview images: drawn for every perspective and theme, committed, and used."""

import re
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest
from django.conf import settings

from stories.management.commands.draw_social_images import indexed_png, pictures
from stories.models import Perspective, Theme
from stories.models.palette import HEX

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
    assert tags <= {"svg", "rect", "circle", "path", "g", "text", "tspan", "defs", "pattern"}
    assert city.get("width") == "1200" and city.get("height") == "630"


def test_a_perspective_in_its_colour_and_mark_a_theme_in_its_pattern_in_the_sites_faces():
    perspective = Perspective.objects.get(slug="city-officials")
    perspective.colour, perspective.mark = "plum", "diamond"
    perspective.save()
    theme = Theme.objects.get(slug="community-trust")
    theme.pattern = "waves"
    theme.save()
    drawn = dict(pictures())
    city = ET.fromstring(drawn["perspective-city-officials.png"])
    fills = {element.get("fill") for element in city.iter()}
    assert HEX["plum"] in fills and HEX["rust"] not in fills
    # The diamond mark's own path, filled with the perspective's colour.
    diamond = (Path(settings.BASE_DIR) / "static/img/marks/diamond.svg").read_text()
    path = re.search(r'd="([^"]+)"', diamond)[1]
    marks = [group for group in city.iter(f"{SVG}g") if group.get("fill") == HEX["plum"]]
    assert [shape.get("d") for group in marks for shape in group] == [path]
    trust = drawn["theme-community-trust.png"]
    waves = (Path(settings.BASE_DIR) / "static/img/patterns/waves.svg").read_text()
    assert re.search(r'd="([^"]+)"', waves)[1] in trust
    families = {element.get("font-family") for element in city.iter(f"{SVG}text")}
    assert families == {"Archivo, sans-serif", "'Source Serif 4', serif"}


def test_a_name_is_text_in_the_picture_whatever_it_holds():
    Theme.objects.create(name='Raids <script>&"', slug="raids", name_es="Redadas")
    drawn = dict(pictures())["theme-raids.png"]
    assert 'Raids <script>&"' in " ".join(ET.fromstring(drawn).itertext())


def test_the_committed_images_are_1200_by_630_and_small():
    folder = Path(settings.BASE_DIR) / "static/img/social"
    for name in dict(pictures()):
        assert png_size(folder / name) == (1200, 630), name
        # Indexed colour (the few colours drawn), well under 80 KB.
        assert (folder / name).read_bytes()[25] == 3, name
        assert (folder / name).stat().st_size < 80_000, name


def test_a_picture_is_written_as_an_indexed_png():
    png = indexed_png(bytes([0, 1, 1, 0]), ["#fbf8f2", "#1c1b19"], 2, 2)
    assert png_size_of(png) == (2, 2)
    assert b"PLTE\xfb\xf8\xf2\x1c\x1b\x19" in png
    raw = zlib.decompress(png[png.index(b"IDAT") + 4 : png.index(b"IEND") - 8])
    assert raw == b"\0\0\x01\0\x01\0"


def png_size_of(data):
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
