"""A story's share links: plain links that open another site's own share form.

Nothing is loaded from those sites; a reader who follows a link leaves for it with
the story's title and permanent address filled in (docs/listening.md, "Sharing").
"""

from urllib.parse import quote, urlencode

from django.utils.translation import gettext as _


def share_links(*, title, permalink):
    """[(name, address)] for email, WhatsApp, Bluesky and X, each with the permalink encoded."""
    words = f"{title} {permalink}"
    return [
        (
            _("Email"),
            "mailto:?" + urlencode({"subject": title, "body": permalink}, quote_via=quote),
        ),
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": words}, quote_via=quote)),
        (
            "Bluesky",
            "https://bsky.app/intent/compose?" + urlencode({"text": words}, quote_via=quote),
        ),
        (
            "X",
            "https://x.com/intent/post?"
            + urlencode({"text": title, "url": permalink}, quote_via=quote),
        ),
    ]
