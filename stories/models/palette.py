"""
The archive's fixed palette, marks and patterns: what a moderator chooses from
to give a perspective its colour and mark, and a theme its pattern.

Fixed lists, not free input: every colour here reaches WCAG AA contrast as
text on the page's backgrounds (figures in docs/design.md, checked by
tests/models/test_visual_identity.py), and every mark and pattern is a
drawing in the repository (static/img/marks/, static/img/patterns/), never a
picture of anyone. The colours themselves live in static/css/site.css as
``--persp-<colour>``; the names here are the classes that pick them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Colour(models.TextChoices):
    # The value is the class suffix (site.css ``.colour-<value>``); the hex is in HEX.
    RUST = "rust", _("Rust")
    OCHRE = "ochre", _("Ochre")
    OLIVE = "olive", _("Olive")
    FOREST = "forest", _("Forest green")
    TEAL = "teal", _("Teal")
    BLUE = "blue", _("Blue")
    INDIGO = "indigo", _("Indigo")
    PLUM = "plum", _("Plum")


# The same values as site.css's --persp-* tokens (a test compares them).
HEX = {
    Colour.RUST: "#a03a12",
    Colour.OCHRE: "#8a5700",
    Colour.OLIVE: "#586816",
    Colour.FOREST: "#2c6a3c",
    Colour.TEAL: "#0b6b6b",
    Colour.BLUE: "#1d5a8c",
    Colour.INDIGO: "#3d3a9e",
    Colour.PLUM: "#84306f",
}


class Mark(models.TextChoices):
    # The value names the drawing: static/img/marks/<value>.svg.
    CIRCLE = "circle", _("Circle")
    SQUARE = "square", _("Square")
    TRIANGLE = "triangle", _("Triangle")
    DIAMOND = "diamond", _("Diamond")
    ARCH = "arch", _("Arch")
    HEXAGON = "hexagon", _("Hexagon")
    HALF = "half", _("Half circle")
    CROSS = "cross", _("Cross")


class Pattern(models.TextChoices):
    # The value names the drawing: static/img/patterns/<value>.svg.
    DOTS = "dots", _("Dots")
    LINES = "lines", _("Lines")
    WAVES = "waves", _("Waves")
    GRID = "grid", _("Grid")
    STEPS = "steps", _("Steps")
    RAYS = "rays", _("Rays")
    ARCS = "arcs", _("Arcs")
    ROOFS = "roofs", _("Roofs")
    RINGS = "rings", _("Rings")
    CHEVRONS = "chevrons", _("Chevrons")
    BRICKS = "bricks", _("Bricks")
    STARS = "stars", _("Stars")


def contrast(foreground, background):
    """The WCAG contrast ratio of two "#rrggbb" colours (1 to 21)."""

    def luminance(colour):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
