"""
The search page served in-process, case by case, just after the archive's generation was
renewed (nothing kept): a search the first time, then what is asked after it (the same
address, another language, page or order, a page past the end), with and without words.

    .venv/bin/python bench/search_page.py --redis redis://127.0.0.1:6379/N
    .venv/bin/python bench/search_page.py --words "fear or miedo" --runs 3

Settings as bench/profile_pages.py's (the page cache off, counts kept), on its archive
(PostgreSQL, 100,000 stories). For each case: the generation renewed, the counts every page
shares (the glossary, the years, the places) made again by a search nobody asks, the request
before the case, then the case, timed. It prints the median time, and the SQL time and
queries of the last run; it asserts nothing. A search asked again is the "search" row of
bench/profile_pages.py.
"""

import argparse
import statistics
import time
import urllib.parse

from profile_pages import QueryTimer, archive_options, set_up


def cases(words):
    """(name, the request before, the request timed, its status)."""
    search = "/search/?" + urllib.parse.urlencode({"q": words})
    return [
        ("words, first time", None, search, 200),
        ("the same address again", search, search, 200),
        ("the same words in Spanish", search, "/es" + search, 200),
        ("page 2, after page 1", search, search + "&page=2", 200),
        ("newest first, after best first", search, search + "&sort=newest", 200),
        ("a page past the end, after page 1", search, search + "&page=9999", 404),
        ("no words, first time", None, "/search/", 200),
        ("no words, again", "/search/", "/search/", 200),
        ("a perspective, no words, first time", None, "/search/?perspective=immigrants", 200),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    archive_options(parser)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--words", default="police")
    args = parser.parse_args()
    set_up(args)
    from django.db import connection
    from django.test import Client

    from stories.pagecache import store

    client = Client()
    print(f'"{args.words}"; {args.runs} runs a case; milliseconds.')
    header = f"{'case':<38}{'median':>8}{'SQL':>8}{'queries':>9}"
    print(header)
    print("-" * len(header))
    for name, before, path, status in cases(args.words):
        timings = []
        for _ in range(args.runs):
            store.bump_generation()
            client.get("/search/?q=zzzz")
            if before:
                client.get(before)
            timer = QueryTimer()
            with connection.execute_wrapper(timer):
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != status:
                raise RuntimeError(f"{path} answered {response.status_code}")
        print(
            f"{name:<38}{statistics.median(timings):>8.1f}{timer.seconds * 1000:>8.1f}"
            f"{timer.queries:>9}"
        )


if __name__ == "__main__":
    main()
