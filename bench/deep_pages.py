"""
A deep page of each list of stories, read by OFFSET and by keyset: the database's own times.

    .venv/bin/python bench/deep_pages.py                 # PostgreSQL, 100,000 stories, page 200
    .venv/bin/python bench/deep_pages.py --page 1000 --plans

For each list the browse, perspective and place pages paginate (stories/pages/paging.py), it
prints the execution time PostgreSQL reports (EXPLAIN ANALYZE, the median of --runs) of: page
1; page N by OFFSET, as Django's Paginator reads it; the bookmark, the sort values of page N-1's
last story, which the pages find once per generation; and page N by keyset, after the bookmark.
It checks that both roads give the same stories, and asserts nothing else. It only reads: its
session is read-only, and nothing is kept in a cache (the database's cache is a table).
"""

import argparse
import os
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from load import STORIES_PER_PAGE
from search import DATABASE_PREFIX_HELP, prepare


def execution_ms(queryset, runs):
    """The median of ``runs`` EXPLAIN ANALYZE execution times of ``queryset``, and its last plan."""
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    times = []
    for _ in range(runs):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        times.append(float(re.search(r"Execution Time: ([\d.]+)", plan).group(1)))
    return statistics.median(times), plan


def the_lists():
    """(name, the list's stories in its order) for each kind of list, its largest example."""
    from stories.models import Perspective, Story, Theme, listed_places
    from stories.pages.filters import ORDERS

    published = Story.objects.published()
    perspective = max(Perspective.objects.with_published_counts(), key=lambda p: p.published_count)
    theme = max(Theme.objects.with_published_counts(), key=lambda t: t.published_count)
    place = max(listed_places().values(), key=lambda place: place.count)
    return [
        *((f"browse, {sort}", published.order_by(*order)) for sort, order in ORDERS.items()),
        ("perspective", published.filter(perspective=perspective).order_by(*ORDERS["newest"])),
        (
            "browse, a theme",
            published.carrying_any_theme_of([theme.pk]).order_by(*ORDERS["newest"]),
        ),
        ("place", published.in_place(place).order_by(*ORDERS["newest"])),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--page", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database-prefix", default="bench", help=DATABASE_PREFIX_HELP)
    parser.add_argument("--database-url", help="read this database instead of a generated one")
    parser.add_argument("--plans", action="store_true", help="also print each query plan")
    args = parser.parse_args()

    database_url = args.database_url or prepare(
        "postgresql", args.stories, args.postgres, args.database_prefix
    )
    os.environ.update(
        DJANGO_SETTINGS_MODULE="archive.settings",
        DATABASE_URL=database_url,
        PAGE_CACHE_SECONDS="0",
        COUNTS_CACHE_SECONDS="0",
        FRAGMENT_CACHE_SECONDS="0",
    )
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    from stories.pages.paging import SortKey, after

    print(f"EXPLAIN ANALYZE execution time, ms, the median of {args.runs}")
    header = f"{'list':<20}{'stories':>9}{'page':>6}{'page 1':>8}{'OFFSET':>8}{'bookmark':>10}"
    print(header + f"{'keyset':>8}")
    print("-" * (len(header) + 8))
    for name, ordered in the_lists():
        ids = ordered.values_list("pk", flat=True)
        count = ordered.count()
        number = min(args.page, -(-count // STORIES_PER_PAGE))
        start = (number - 1) * STORIES_PER_PAGE
        keys = [SortKey.of(term) for term in ordered.query.order_by]
        marking = ordered.values_list(*(key.field for key in keys))[start - 1 : start]
        following = ids.filter(after(keys, marking[0]))[:STORIES_PER_PAGE]
        by_offset = ids[start : start + STORIES_PER_PAGE]
        if list(following) != list(by_offset):
            raise RuntimeError(f"{name}: the keyset's page {number} is not OFFSET's")
        timed = {
            "page 1": ids[:STORIES_PER_PAGE],
            "OFFSET": by_offset,
            "bookmark": marking,
            "keyset": following,
        }
        figures = {}
        for road, queryset in timed.items():
            figures[road], plan = execution_ms(queryset, args.runs)
            if args.plans:
                print(f"\n{name}, {road}:\n{plan}\n")
        print(
            f"{name:<20}{count:>9}{number:>6}"
            + "".join(f"{figures[road]:>{len(road) + 2}.2f}" for road in timed)
        )


if __name__ == "__main__":
    main()
