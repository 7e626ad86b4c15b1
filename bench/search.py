"""
Search latency: the full-text engines against a naive ``icontains`` scan.

    .venv/bin/python bench/search.py                      # 1,000 and 100,000 stories
    .venv/bin/python bench/search.py --sizes 1000         # a quick run
    .venv/bin/python bench/search.py --engines sqlite

For each database (SQLite, and PostgreSQL at --postgres) and each size, an
archive is generated once with bench/generate.py (SQLite files are kept in
bench/.data/, PostgreSQL databases are named bench_<size>, or
<--database-prefix>_<size>) and reused while
it still holds that many stories. Then 50 fixed queries, English and Spanish,
rare and common words, phrases, ``or`` and exclusions, are each answered
three ways. "search": the number of matches and the first page of 20 ranked
stories with their snippets (``results.find()``, then ``results.with_snippets()``).
"page": what the search page does, the facet counts (perspective, theme,
language; their sum is the number of matches) instead of the count, and the
same page. "icontains": a scan
of title, summary and body for every word, newest first, its count and first
page. Every query runs once to warm up, then once timed. It prints figures;
it asserts nothing.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / ".data"

QUERIES = [
    "deportation", "deport", "detainer", "miedo", "familias", "policia", "police",
    "sanctuary", "santuario", "clinic", "nurse", "raids", "redadas", "ICE", "papers",
    "papeles", "church", "iglesia", "school", "escuela", "trust", "confianza", "lawsuit",
    "federal funding", "city council", '"city council"', "special order 40",
    '"special order"', "vendor", "budget", "judge", "court", "consulado", "biblioteca",
    "library", "abogado", "lawyer", "fear or miedo", "police -sheriff", "workers",
    "trabajo", "hospital", "children", "niños", "neighbors", "vecinos", "immigration agents",
    "Boyle Heights", "Pacoima", "deportación familia",
]  # fmt: skip
assert len(QUERIES) == 50


# --- In the child process: one database, set by DATABASE_URL. ---


def django_setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()


def answer_with_search(query):
    """A search on its own: the number of matches and the first page, ranked, with snippets.

    One ``find()`` gives the count and the page's ids; the page's stories are
    then read with their snippets.
    """
    from stories.models import Story
    from stories.search import results

    findings = results.find(Story.objects.published(), query, 0, 20)
    results.with_snippets(findings.ids, query)
    return findings.total


def answer_like_the_search_page(query):
    """The search page: the facet counts (whose sum is the number of matches), then the page."""
    from stories.models import Perspective, Story, Theme, facets_of
    from stories.search import results

    findings = results.find(Story.objects.published(), query, 0, 20, facets=True)
    facets_of(findings.pairs, findings.themes, Perspective.objects.all(), Theme.objects.all())
    results.with_snippets(findings.ids, query)
    return findings.total


def answer_with_icontains(query):
    from django.db.models import Q

    from stories.models import Story

    results = Story.objects.published()
    for word in query.replace('"', " ").split():
        word = word.lstrip("-")
        if word.lower() == "or":
            continue
        results = results.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
        )
    count = results.count()
    list(results.for_listing()[:20])
    return count


def timings(function):
    for query in QUERIES:
        function(query)  # warm the caches, as a running site has them
    samples, matches = [], []
    for query in QUERIES:
        started = time.perf_counter()
        matches.append(function(query))
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": statistics.median(samples),
        "p95_ms": samples[int(len(samples) * 0.95) - 1],
        "max_ms": samples[-1],
        "mean_matches": statistics.mean(matches),
    }


def measure():
    django_setup()
    from django.db import connection

    from stories.models import Story
    from stories.search import results

    result = {
        "stories": Story.objects.published().count(),
        "search": timings(answer_with_search),
        "page": timings(answer_like_the_search_page),
        "icontains": timings(answer_with_icontains),
    }
    if connection.vendor == "postgresql":
        result["plan"] = results.search(Story.objects.published(), "detainer").explain(analyze=True)
    else:
        result["plan"] = results.search(Story.objects.published(), "detainer").explain()
    print(json.dumps(result))


def published_count():
    django_setup()
    from django.core.management import call_command

    from stories.models import Story

    call_command("migrate", verbosity=0)
    print(Story.objects.published().count())


# --- In the parent process: every database and size, then the table. ---

DATABASE_PREFIX_HELP = "PostgreSQL archives are the databases <prefix>_<stories> (bench_1000…)"


def child(database_url, *arguments):
    environment = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "0"}
    environment.setdefault("DJANGO_SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
    environment.pop("REDIS_URL", None)
    completed = subprocess.run(
        [sys.executable, *arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return completed.stdout.strip().splitlines()[-1]


def prepare(engine, size, postgres, prefix="bench"):
    if engine == "sqlite":
        DATA.mkdir(exist_ok=True)
        path = DATA / f"bench-{size}.sqlite3"
        url = f"sqlite:///{path}"
        if path.exists() and int(child(url, __file__, "--published-count")) != size:
            for leftover in DATA.glob(f"bench-{size}.sqlite3*"):
                leftover.unlink()
    else:
        import psycopg

        name = f"{prefix}_{size}"
        url = f"{postgres}/{name}"
        with psycopg.connect(f"{postgres}/postgres", autocommit=True) as admin:
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if exists and int(child(url, __file__, "--published-count")) != size:
                admin.execute(f"DROP DATABASE {name}")
                exists = None
            if not exists:
                admin.execute(f"CREATE DATABASE {name}")
    if int(child(url, __file__, "--published-count")) != size:
        print(f"  generating {size} stories on {engine} …", file=sys.stderr)
        print("  " + child(url, str(ROOT / "bench" / "generate.py"), "--stories", str(size)),
              file=sys.stderr)  # fmt: skip
    return url


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database-prefix", default="bench", help=DATABASE_PREFIX_HELP)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--published-count", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--plans", action="store_true", help="Print each query plan too.")
    args = parser.parse_args()
    if args.measure:
        return measure()
    if args.published_count:
        return published_count()

    print(f"{len(QUERIES)} queries; times in milliseconds; each query warmed once, timed once.")
    header = (
        f"{'engine':<11}{'stories':>9} | {'search median':>13}{'p95':>8} | "
        f"{'page median':>11}{'p95':>8} | {'icontains median':>16}{'p95':>9} | "
        f"{'search speed-up':>15}"
    )
    print(header)
    print("-" * len(header))
    plans = []
    for engine in args.engines:
        for size in args.sizes:
            url = prepare(engine, size, args.postgres, args.database_prefix)
            result = json.loads(child(url, __file__, "--measure"))
            fts, page, naive = result["search"], result["page"], result["icontains"]
            print(
                f"{engine:<11}{result['stories']:>9} | {fts['median_ms']:>13.1f}"
                f"{fts['p95_ms']:>8.1f} | {page['median_ms']:>11.1f}{page['p95_ms']:>8.1f} | "
                f"{naive['median_ms']:>16.1f}{naive['p95_ms']:>9.1f} | "
                f"{naive['median_ms'] / fts['median_ms']:>14.0f}×",
                flush=True,
            )
            plans.append((engine, size, result["plan"]))
    if args.plans:
        for engine, size, plan in plans:
            print(f"\nPlan for 'detainer' on {engine}, {size} stories:\n{plan}")


if __name__ == "__main__":
    main()
