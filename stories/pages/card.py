"""A card to keep: the narrator's private link, written out and as a QR code, as an image.

The thank-you page offers it to save on a phone, beside the Copy button. It is
made on the server (``segno``, pure Python) from the token the session holds
for a short while after the story is sent (``CARD_SESSION_KEY``): the card's
address never holds the token, and another browser, or this one once the
time is up or the browser closed, gets a 404. The answer is ``no-store``.
"""

import io
import time
from xml.sax.saxutils import escape

import segno
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .guards import private

# The session key that keeps a new story's token for its card: {"link": ..., "until": ...}.
CARD_SESSION_KEY = "private_link_card"
CARD_SECONDS = 3600

WIDTH, HEIGHT = 640, 1000
QR_SCALE = 8
CHARACTERS_PER_LINE = 34


def keep_for_card(request, link):
    """Keep the private link in the session for the card, for ``CARD_SECONDS`` at most."""
    request.session[CARD_SESSION_KEY] = {"link": link, "until": time.time() + CARD_SECONDS}
    request.session.set_expiry(0)  # and never past the browser closing


@private
def card(request):
    kept = request.session.get(CARD_SESSION_KEY)
    if not kept or kept["until"] < time.time():
        request.session.pop(CARD_SESSION_KEY, None)
        return render(request, "404.html", status=404)  # no-store, as every answer here
    response = HttpResponse(card_svg(kept["link"]), content_type="image/svg+xml")
    response["Content-Disposition"] = 'attachment; filename="my-story-private-link.svg"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def card_svg(link):
    """The card: a heading, a warning, the link in short lines, and its QR code."""
    qr = segno.make(link, error="m")
    buffer = io.BytesIO()
    qr.save(
        buffer, kind="svg", scale=QR_SCALE, border=4, xmldecl=False, svgns=False, nl=False,
        svgclass=None, lineclass=None,
    )  # fmt: skip
    size, _size = qr.symbol_size(scale=QR_SCALE, border=4)
    qr_x, qr_y = (WIDTH - size) // 2, 300
    qr_svg = buffer.getvalue().decode().replace("<svg ", f'<svg x="{qr_x}" y="{qr_y}" ', 1)
    lines = [link[i : i + CHARACTERS_PER_LINE] for i in range(0, len(link), CHARACTERS_PER_LINE)]
    texts = [
        text_line(_("Perspectives"), 60, size=26, weight="bold"),
        text_line(_("Your story's private page"), 100, size=34, weight="bold"),
        text_line(_("See what became of your story, ask for a"), 160, size=22),
        text_line(_("correction or withdraw it, with this link."), 192, size=22),
        text_line(_("Keep it private: anyone who has it can do the same."), 240, size=20),
        *(
            text_line(line, qr_y + size + 50 + 34 * n, size=24, mono=True)
            for n, line in enumerate(lines)
        ),
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#fff"/>'
        f"{''.join(texts)}{qr_svg}</svg>\n"
    )


def text_line(text, y, *, size, weight="normal", mono=False):
    family = "monospace" if mono else "sans-serif"
    return (
        f'<text x="{WIDTH // 2}" y="{y}" text-anchor="middle" font-family="{family}" '
        f'font-size="{size}" font-weight="{weight}" fill="#111">{escape(text)}</text>'
    )
