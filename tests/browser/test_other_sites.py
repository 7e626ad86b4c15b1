"""
A page on another site reads the open data from Chromium's own fetch(), preflight and all:
what docs/api.md ("Methods and other sites") promises a researcher's web page.
"""

import http.server
import threading

import pytest

# Run in the other site's page: a list, then the same list again with If-None-Match (a header
# that needs the CORS preflight), then a POST; what a script there can read of each answer.
READ_TWICE_AND_POST = """async (address) => {
    const first = await fetch(address, {cache: "no-store"});
    const etag = first.headers.get("ETag");
    const again = await fetch(address, {cache: "no-store", headers: {"If-None-Match": etag}});
    const posted = await fetch(address, {method: "POST", body: "{}"});
    return {
        first: first.status, etag: etag,
        again: again.status,
        posted: posted.status, allow: posted.headers.get("Allow"), error: await posted.json(),
    };
}"""


class ReaderPage(http.server.BaseHTTPRequestHandler):
    """The other site: one empty page."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(b"<!DOCTYPE html><title>A researcher's page</title>")

    def log_message(self, *args):
        pass


@pytest.fixture
def other_site_page(page):
    """A page of another site, served from this machine as the archive is.

    Chromium keeps a page of a public address (where a researcher's site would be) from
    reaching this machine at all (Private Network Access), which would hide what is tested
    here: the archive's own CORS answers.
    """
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ReaderPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    page.goto(f"http://127.0.0.1:{server.server_port}/")
    yield page
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("address", ["/api/v1/stories/", "/api/v1/openapi.json", "/export/"])
def test_a_script_on_another_site_reads_revalidates_and_learns_the_methods(
    other_site_page, site, address
):
    seen = other_site_page.evaluate(READ_TWICE_AND_POST, site + address)
    assert seen["first"] == 200 and seen["etag"]
    assert seen["again"] == 304  # the preflight let If-None-Match through, and the 304 is readable
    assert seen["posted"] == 405 and seen["allow"] == "GET, HEAD, OPTIONS"
    assert seen["error"]["error"]["status"] == 405


def test_a_script_on_another_site_cannot_read_the_pages_for_people(other_site_page, site):
    refused = other_site_page.evaluate(
        "async (address) => { try { await fetch(address); return false; } catch { return true; } }",
        site + "/stories/",
    )
    assert refused
