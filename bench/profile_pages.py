"""
Each public page served in-process, one at a time, with the page cache off:
where its time goes (SQL against Python), and, with --profile, the functions.

    .venv/bin/python bench/profile_pages.py                    # PostgreSQL, 100,000 stories
    .venv/bin/python bench/profile_pages.py --stories 1000 --runs 20
    .venv/bin/python bench/profile_pages.py --profile "browse, page 1"
    .venv/bin/python bench/profile_pages.py --fragments off    # cards and bodies rendered each time

The pages are bench/load.py's, served by Django's own request handler (the
whole middleware, no network, no gunicorn) with the settings bench/load.py's
"page cache off" mode uses: DEBUG off, Redis as the cache, the page cache
off, counts and fragments kept. Each page is asked once to warm what is kept,
then ``--runs`` times; reported per request: the mean and median time, the
queries and their time, and the rest (Python). The floor is the view that
returns a fixed string through the same middleware. It prints figures; it
asserts nothing.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from load import DATA, PAGES, STORIES_PER_PAGE
from search import DATABASE_PREFIX_HELP, prepare


class QueryTimer:
    """Counts the queries a request makes and the time they take (a database execute wrapper)."""

    def __init__(self):
        self.queries = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


def measure(client, path, runs):
    from django.db import connection

    timings, sql_seconds, queries = [], 0.0, 0
    for _ in range(runs):
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        sql_seconds += timer.seconds
        queries += timer.queries
    mean = statistics.fmean(timings) * 1000
    sql = sql_seconds / runs * 1000
    return {
        "mean": mean,
        "median": statistics.median(timings) * 1000,
        "sql": sql,
        "queries": queries / runs,
        "python": mean - sql,
    }


def archive_options(parser):
    """The options that say which archive is served, and how (``set_up``)."""
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database-prefix", default="bench", help=DATABASE_PREFIX_HELP)
    parser.add_argument("--database-url", help="serve this database instead of a generated one")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--fragments", choices=["on", "off"], default="on")


def set_up(args):
    """Django in this process, as bench/load.py's "page cache off" mode serves the archive."""
    database_url = args.database_url or prepare(
        "postgresql", args.stories, args.postgres, args.database_prefix
    )
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.floor_settings",
        DJANGO_DEBUG="0",
        DJANGO_HTTPS="0",
        DJANGO_SECRET_KEY="bench-only-not-a-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="60",
        REDIS_URL=args.redis,
        PAGE_CACHE_SECONDS="0",
        COUNTS_CACHE_SECONDS="60",
        FRAGMENT_CACHE_SECONDS="0" if args.fragments == "off" else "86400",
        DJANGO_REQUEST_LOG_LEVEL="WARNING",
        BENCH_STATIC_ROOT=str(DATA / "static"),
    )
    import django

    django.setup()
    from django.core.management import call_command

    # With DEBUG off pages name static files by their fingerprints: collected first.
    call_command("collectstatic", interactive=False, verbosity=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    archive_options(parser)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--profile", metavar="PAGE", help="also profile this page (its name)")
    parser.add_argument("--top", type=int, default=30, help="functions the profile lists")
    parser.add_argument("--sort", default="tottime", help="the profile's order: tottime, cumtime")
    args = parser.parse_args()
    set_up(args)
    from django.test import Client

    from stories.models import Story

    client = Client()
    story = Story.objects.published().order_by("-published_at", "-pk").first()
    pages = {name: path or story.get_absolute_url() for name, path in PAGES.items()}
    count = Story.objects.published().count()
    deep_page = min(200, -(-count // STORIES_PER_PAGE))
    pages["browse, page 200"] = f"/stories/?page={deep_page}"
    print(
        f"{count} published stories; {args.runs} requests a page after one to warm; "
        f"fragments {args.fragments}; milliseconds per request."
    )
    header = f"{'page':<22}{'mean':>8}{'median':>8}{'SQL':>8}{'queries':>9}{'Python':>8}"
    print(header)
    print("-" * len(header))
    for name, path in pages.items():
        client.get(path)  # counts and fragments kept, connections open
        figures = measure(client, path, args.runs)
        print(
            f"{name:<22}{figures['mean']:>8.2f}{figures['median']:>8.2f}{figures['sql']:>8.2f}"
            f"{figures['queries']:>9.1f}{figures['python']:>8.2f}"
        )
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.runs):
            client.get(pages[args.profile])
        profile.disable()
        print(f"\n{args.profile}: {args.runs} requests under cProfile, by {args.sort}")
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
