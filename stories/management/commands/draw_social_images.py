"""
Draw the link-preview images (Open Graph, 1200×630 PNG) into static/img/social/.

One for the site, one for each perspective and one for each theme in the database, in the
site's visual system (docs/design.md): the archive's name and the page's name in English and
Spanish in the site's two faces (the woff2 files in static/fonts, handed to the browser as data:
addresses, so nothing is fetched), and on the right a perspective's mark in its palette colour,
a theme's drawn pattern, or for the site every perspective's mark (templates/social/image.svg,
drawings from static/img/marks and static/img/patterns). Chromium rasterises each picture
through Playwright (a test dependency: run it where the tests run); the picture is then reduced
to the few colours it was drawn with and written as an indexed PNG, a few tens of kilobytes.
The images are committed; a perspective or theme added later has the site's image until this is
run again (docs/listening.md).

    python manage.py draw_social_images [--output DIR] [--chromium /usr/bin/chromium]
"""

import base64
import os
import re
import struct
import textwrap
import zlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from playwright.sync_api import sync_playwright

from stories.models import Perspective, Theme
from stories.models.palette import HEX

WIDTH, HEIGHT = 1200, 630
STATIC = Path(settings.BASE_DIR) / "static"
# The site's tokens (static/css/site.css).
PAPER, PANEL, INK, MUTED, ACCENT = "#fbf8f2", "#f1ece2", "#1c1b19", "#57534b", "#8a2c0d"
FONTS = (
    ("Archivo", "normal", "archivo-latin-wght-normal.woff2"),
    ("Source Serif 4", "normal", "source-serif-4-latin-wght-normal.woff2"),
    ("Source Serif 4", "italic", "source-serif-4-latin-wght-italic.woff2"),
)
# Antialiased edges are blends of a drawn colour into a background: this many steps of each.
BLENDS = 8


@cache
def drawing(folder, name):
    """The shapes inside one of the repository's own SVG drawings (a mark or a pattern)."""
    text = (STATIC / "img" / folder / f"{name}.svg").read_text()
    return mark_safe(re.sub(r"^\s*<svg[^>]*>|</svg>\s*$", "", text))


def marks_for(perspectives, *, big):
    if big:
        return [
            {
                "drawing": drawing("marks", perspectives[0].mark),
                "colour": HEX[perspectives[0].colour],
                "x": 880,
                "y": 195,
                "scale": 10,
            }
        ]
    # The site: up to six voices, two across, three down.
    return [
        {
            "drawing": drawing("marks", perspective.mark),
            "colour": HEX[perspective.colour],
            "x": 872 + (number % 2) * 160,
            "y": 107 + (number // 2) * 160,
            "scale": 4,
        }
        for number, perspective in enumerate(perspectives[:6])
    ]


def picture(*, english, spanish, kind_label, colour, marks=(), pattern=""):
    lines = textwrap.wrap(english, 20) or [""]
    size = 76 if len(lines) == 1 else 62
    spanish_lines = textwrap.wrap(spanish, 28) if spanish and spanish != english else []
    return render_to_string(
        "social/image.svg",
        {
            "english": lines,
            "spanish": spanish_lines,
            "size": size,
            "spanish_size": 44,
            "spanish_y": 300 + int(size * 1.1 * (len(lines) - 1)) + 78,
            "kind_label": kind_label,
            "colour": colour,
            "marks": marks,
            "pattern": drawing("patterns", pattern) if pattern else "",
            "paper": PAPER,
            "panel": PANEL,
            "ink": INK,
            "muted": MUTED,
        },
    )


def palette_for(svg):
    """Every colour the picture is drawn with, and its blends into the two backgrounds."""
    drawn = sorted(set(re.findall(r"#[0-9a-f]{6}", svg.lower())) - {PAPER, PANEL})
    entries = [PAPER, PANEL]
    for background in (PAPER, PANEL):
        for colour in drawn:
            entries += [blend(background, colour, step / BLENDS) for step in range(1, BLENDS + 1)]
    return list(dict.fromkeys(entries))[:256]


def blend(background, colour, amount):
    a, b = (bytes.fromhex(c[1:]) for c in (background, colour))
    return "#" + bytes(round(x + (y - x) * amount) for x, y in zip(a, b, strict=True)).hex()


def pictures():
    """(file name, SVG) for the site, each perspective and each theme."""
    perspectives = list(Perspective.objects.order_by("display_order", "name"))
    yield (
        "site.png",
        picture(
            english="Perspectives",
            spanish="Perspectivas",
            kind_label="",
            colour=ACCENT,
            marks=marks_for(perspectives, big=False),
        ),
    )
    for perspective in perspectives:
        yield (
            f"perspective-{perspective.slug}.png",
            picture(
                english=perspective.name,
                spanish=perspective.name_es,
                kind_label="Perspective · Perspectiva",
                colour=HEX[perspective.colour],
                marks=marks_for([perspective], big=True),
            ),
        )
    for theme in Theme.objects.order_by("slug"):
        yield (
            f"theme-{theme.slug}.png",
            picture(
                english=theme.name,
                spanish=theme.name_es,
                kind_label="Theme · Tema",
                colour=ACCENT,
                pattern=theme.pattern,
            ),
        )


def font_faces():
    faces = []
    for family, style, name in FONTS:
        data = base64.b64encode((STATIC / "fonts" / name).read_bytes()).decode()
        faces.append(
            f"@font-face{{font-family:'{family}';font-style:{style};font-weight:100 900;"
            f"src:url(data:font/woff2;base64,{data}) format('woff2')}}"
        )
    return "".join(faces)


# Runs in the page: each pixel of the screenshot to the nearest colour of the palette.
QUANTISE = """async ([png, palette]) => {
  const image = new Image();
  image.src = "data:image/png;base64," + png;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = image.width; canvas.height = image.height;
  const context = canvas.getContext("2d");
  context.drawImage(image, 0, 0);
  const pixels = context.getImageData(0, 0, image.width, image.height).data;
  const colours = palette.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
  const seen = new Map();
  const indices = new Uint8Array(pixels.length / 4);
  for (let p = 0; p < indices.length; p++) {
    const r = pixels[4 * p], g = pixels[4 * p + 1], b = pixels[4 * p + 2];
    const key = (r << 16) | (g << 8) | b;
    let best = seen.get(key);
    if (best === undefined) {
      let distance = Infinity;
      colours.forEach(([cr, cg, cb], index) => {
        const d = (r - cr) ** 2 + (g - cg) ** 2 + (b - cb) ** 2;
        if (d < distance) { distance = d; best = index; }
      });
      seen.set(key, best);
    }
    indices[p] = best;
  }
  let text = "";
  for (let i = 0; i < indices.length; i += 0x8000) {
    text += String.fromCharCode.apply(null, indices.subarray(i, i + 0x8000));
  }
  return btoa(text);
}"""


def indexed_png(indices, palette, width, height):
    """A PNG of palette indices (colour type 3), rows unfiltered: flat drawings pack small."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\0" + indices[y * width : (y + 1) * width] for y in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0))
        + chunk(b"PLTE", b"".join(bytes.fromhex(colour[1:]) for colour in palette))
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


class Command(BaseCommand):
    help = "Draw the link-preview images (1200×630 PNG) into static/img/social/."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(settings.BASE_DIR / "static/img/social"))
        parser.add_argument(
            "--chromium", default=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
        )

    def handle(self, *args, output, chromium, **options):
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        drawn = 0
        # Read before Playwright starts its event loop: Django refuses the database inside one.
        drawings = list(pictures())
        faces = font_faces()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium)
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            for name, svg in drawings:
                page.set_content(
                    f"<!doctype html><html><head><style>{faces}body{{margin:0}}</style></head>"
                    f"<body>{svg}</body></html>"
                )
                page.evaluate(
                    "Promise.all(['600 1em Archivo', 'italic 1em \"Source Serif 4\"',"
                    " '1em \"Source Serif 4\"'].map((f) => document.fonts.load(f)))"
                    ".then(() => document.fonts.ready).then(() => true)"
                )
                palette = palette_for(svg)
                shot = base64.b64encode(page.screenshot(type="png")).decode()
                indices = base64.b64decode(page.evaluate(QUANTISE, [shot, palette]))
                (folder / name).write_bytes(indexed_png(indices, palette, WIDTH, HEIGHT))
                drawn += 1
            browser.close()
        self.stdout.write(f"{drawn} images drawn in {folder}.")
