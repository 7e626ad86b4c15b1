"""A crawler over the public site, through Django's test client: the leak test and the
backup test walk every page a reader can reach by following links."""

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

# Not public: the admin; and static files, which hold no archive data.
PRIVATE_PREFIXES = ("/admin/", "/static/")
START = ("/", "/es/", "/sitemap.xml", "/export/", "/api/v1/")


def body_of(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def links_in(text):
    """Pages link with href; the sitemap lists addresses in <loc>; the API in its JSON."""
    links = (
        re.findall(r'href="([^"#]+)', text)
        + re.findall(r"<loc>([^<]+)</loc>", text)
        + re.findall(r'"(http://testserver/[^"]+)"', text)
    )
    return [link.removeprefix("http://testserver").replace("&amp;", "&") for link in links]


def crawl(client, start=START, limit=600):
    """Yield (url, response, body) for each public address reachable from ``start``."""
    to_visit, seen = deque(start), set()
    while to_visit and len(seen) < limit:
        url = to_visit.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        body = body_of(response)
        yield url, response, body
        content_type = response.get("Content-Type", "")
        if not any(kind in content_type for kind in ("html", "xml", "json")):
            continue
        for href in links_in(body.decode(errors="replace")):
            target = urljoin(url, href)
            if urlsplit(target).netloc or target.startswith(PRIVATE_PREFIXES):
                continue
            to_visit.append(target)
