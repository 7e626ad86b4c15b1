"""
Draw the link-preview images (Open Graph, 1200×630 PNG) into static/img/social/.

One for the site, one for each perspective and one for each theme in the database: the
archive's name, the perspective's or theme's name in English and Spanish, and a pattern of
plain shapes (templates/social/image.svg), rasterised by Chromium through Playwright (a test
dependency: run it where the tests run). The images are committed; a perspective or theme
added later has the site's image until this is run again (docs/listening.md).

    python manage.py draw_social_images [--output DIR] [--chromium /usr/bin/chromium]
"""

import os
import random
import textwrap
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string
from playwright.sync_api import sync_playwright

from stories.models import Perspective, Theme

WIDTH, HEIGHT = 1200, 630
# Dark enough for white text, far enough apart to tell the pictures apart.
COLOURS = ("#8a2c0d", "#1f6f78", "#3b4a8c", "#5f6b1f", "#7a2e5c", "#8a5a0c", "#44505c")
SHAPES = ("circle", "half", "triangle", "square")
CELL = 96


def pattern(seed, colour):
    """Shapes on a grid at the right of the picture, the same for the same seed."""
    chance = random.Random(seed)
    tints = (colour, colour + "99", colour + "55", "#d6d1c4")
    shapes = []
    for row in range(6):
        for column in range(4):
            if chance.random() < 0.22:
                continue
            x, y = 790 + column * CELL, 36 + row * CELL
            d = CELL - 16
            shapes.append(
                {
                    "kind": chance.choice(SHAPES),
                    "fill": chance.choice(tints),
                    "turn": chance.choice((0, 90, 180, 270)),
                    "x": x + 8,
                    "y": y + 8,
                    "x2": x + 8 + d,
                    "y2": y + 8 + d,
                    "cx": x + CELL // 2,
                    "cy": y + CELL // 2,
                    "r": d // 2,
                    "d": d,
                }
            )
    return shapes


def picture(*, english, spanish, kind_label, seed, colour):
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
            "shapes": pattern(seed, colour),
            "colour": colour,
        },
    )


def pictures():
    """(file name, SVG) for the site, each perspective and each theme."""
    yield (
        "site.png",
        picture(
            english="Perspectives",
            spanish="Perspectivas",
            kind_label="",
            seed="site",
            colour=COLOURS[0],
        ),
    )
    for number, perspective in enumerate(Perspective.objects.all()):
        yield (
            f"perspective-{perspective.slug}.png",
            picture(
                english=perspective.name,
                spanish=perspective.name_es,
                kind_label="Perspective · Perspectiva",
                seed=perspective.slug,
                colour=COLOURS[number % len(COLOURS)],
            ),
        )
    for theme in Theme.objects.order_by("slug"):
        yield (
            f"theme-{theme.slug}.png",
            picture(
                english=theme.name,
                spanish=theme.name_es,
                kind_label="Theme · Tema",
                seed=theme.slug,
                colour=COLOURS[sum(map(ord, theme.slug)) % len(COLOURS)],
            ),
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
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium)
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            for name, svg in drawings:
                page.set_content(
                    '<!doctype html><html><body style="margin:0">' + svg + "</body></html>"
                )
                page.screenshot(path=str(folder / name), type="png")
                drawn += 1
            browser.close()
        self.stdout.write(f"{drawn} images drawn in {folder}.")
