"""
Load: requests per second and latency of each public page under wrk, served by
gunicorn as in production, against Django's own floor on this machine.

    .venv/bin/python bench/load.py                   # PostgreSQL, 100,000 stories, 10 s a page
    .venv/bin/python bench/load.py --duration 5 --stories 1000

Needs wrk (`apt-get install wrk`), and PostgreSQL and Redis where docs/deploy.md
puts them. The archive is bench/generate.py's, in the database bench_<stories>
(bench/search.py builds it, or this script does; --database-prefix renames it). gunicorn runs with
gunicorn.conf.py, DEBUG off, HTTPS off (loopback), Redis as the cache, and
the settings of bench/floor_settings.py: the site plus /bench/floor/, a view that
returns a fixed string through the same middleware, the fastest any Django
page can be here. Each page is loaded for a fixed duration three times: with
no cache at all; with the page cache off but the archive-wide counts and the
stories' fragments (cards, page bodies) kept, as readers meet the site after
every moderator's change; and with the page cache on and warm. Reported: requests/s, median and
p99 latency, answers that were not 2xx, and throughput as a share of the
floor's. The floor is loaded before a mode's pages and again after them, and
its share is of the mean of the two: on a shared machine the floor alone moves
by half between runs, and both figures are printed. BENCH_REQUEST_LOG_LEVEL=INFO
keeps every request's line (its route and duration) in the servers' logs.
It prints figures; it asserts nothing.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
# The servers' logs and their collected static files (ignored by git).
DATA = Path(__file__).resolve().parent / ".data"

from search import DATABASE_PREFIX_HELP, prepare  # noqa: E402  (bench/search.py builds and reuses the archives)

STORIES_PER_PAGE = 20  # stories/pages/browse.py

PAGES = {
    "floor": "/bench/floor/",
    "home": "/",
    "browse, page 1": "/stories/",
    "browse, page 200": "/stories/?page=200",  # or the last page, below 4,000 stories
    "perspective": "/perspectives/immigrants/",
    "theme (side by side)": "/themes/public-safety/",
    "story": None,  # the newest story's address, found once the site is up
    "search": "/search/?q=police",
    "feed (RSS)": "/feeds/stories.rss",
    "theme feed (Atom)": "/feeds/themes/public-safety.atom",
}


def wait_for(url, seconds=30):
    """The page at ``url`` once the server is up; an error page is an error at once."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=60) as answer:
                return answer.read().decode()
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{url} answered {error.code}") from None
        except OSError:  # not listening yet
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


MODES = {
    # name: (PAGE_CACHE_SECONDS, COUNTS_CACHE_SECONDS, FRAGMENT_CACHE_SECONDS)
    "no cache": (0, 0, 0),
    # What a reader meets after every moderator's change: no page kept, but the
    # archive-wide counts and each story's card and page body (fragments) are.
    "page cache off": (0, 60, 86400),
    "cache warm": (60, 60, 86400),
}


def serve(database_url, redis_url, mode, bind):
    """gunicorn serving the site as in production, from any checkout, a fresh clone too.

    With DEBUG off the site names its static files by their fingerprints
    (CompressedManifestStaticFilesStorage), so collectstatic runs first, into
    a directory of the benchmark's own (bench/floor_settings.py).
    """
    page_cache_seconds, counts_cache_seconds, fragment_cache_seconds = MODES[mode]
    DATA.mkdir(exist_ok=True)
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.floor_settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_HTTPS": "0",
        "DJANGO_SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "REDIS_URL": redis_url,
        "PAGE_CACHE_SECONDS": str(page_cache_seconds),
        "COUNTS_CACHE_SECONDS": str(counts_cache_seconds),
        "FRAGMENT_CACHE_SECONDS": str(fragment_cache_seconds),
        "GUNICORN_BIND": bind,
        "DJANGO_REQUEST_LOG_LEVEL": os.environ.get("BENCH_REQUEST_LOG_LEVEL", "WARNING"),
        "BENCH_STATIC_ROOT": str(DATA / "static"),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=environment,
        check=True,
    )
    # Answers other than 2xx are logged (warnings and errors only): their causes are kept.
    log = open(DATA / f"load-{mode.replace(' ', '-')}.log", "w")
    return subprocess.Popen(
        # The gunicorn of the Python running this script, whichever environment that is.
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "archive.wsgi"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


LATENCY_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def to_ms(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * LATENCY_UNITS[unit]


def load(url, duration, connections):
    output = subprocess.run(
        ["wrk", "--latency", "-t2", f"-c{connections}", f"-d{duration}s", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    not_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": to_ms(re.search(r"\s50%\s+(\S+)", output).group(1)),
        "p99": to_ms(re.search(r"\s99%\s+(\S+)", output).group(1)),
        "not_2xx": int(not_2xx.group(1)) if not_2xx else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database-prefix", default="bench", help=DATABASE_PREFIX_HELP)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--bind", default="127.0.0.1:8791")
    args = parser.parse_args()

    database_url = prepare("postgresql", args.stories, args.postgres, args.database_prefix)
    base = f"http://{args.bind}"
    # A smaller archive has fewer pages: its last one stands in for page 200.
    deep_page = min(200, -(-args.stories // STORIES_PER_PAGE))
    print(
        f"PostgreSQL, {args.stories} stories; gunicorn ({os.cpu_count()} cores); wrk -t2 "
        f"-c{args.connections} -d{args.duration}s a page; latencies in ms."
    )
    if deep_page != 200:
        print(f"'browse, page 200' is page {deep_page}, the last at this size.")
    results = {}
    for mode in MODES:
        server = serve(database_url, args.redis, mode, args.bind)
        try:
            home = wait_for(base + "/")
            story = re.search(r'href="(/stories/[^"?/]+/)"', home).group(1)
            pages = {name: path or story for name, path in PAGES.items()}
            pages["browse, page 200"] = f"/stories/?page={deep_page}"
            for name, path in pages.items():
                wait_for(base + path)  # warms the page cache when it is on
                results[(mode, name)] = load(base + path, args.duration, args.connections)
            results[(mode, "floor, again")] = load(
                base + PAGES["floor"], args.duration, args.connections
            )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    header = f"{'page':<22}" + "".join(
        f" | {mode + ' req/s':>19}{'p50':>8}{'p99':>8}{'of floor':>9}{'non-2xx':>8}"
        for mode in MODES
    )
    print(header)
    print("-" * len(header))
    for name in [*PAGES, "floor, again"]:
        row = f"{name:<22}"
        for mode in MODES:
            figures = results[(mode, name)]
            floor = (results[(mode, "floor")]["rps"] + results[(mode, "floor, again")]["rps"]) / 2
            row += (
                f" | {figures['rps']:>19.1f}{figures['p50']:>8.1f}{figures['p99']:>8.1f}"
                f"{figures['rps'] / floor:>8.0%} {figures['not_2xx']:>8}"
            )
        print(row)
    errors = {
        key: value["socket_errors"] for key, value in results.items() if value["socket_errors"]
    }
    if errors:
        print("Socket errors:", errors)
    print("The server's warnings and errors are in bench/.data/load-<mode>.log.")


if __name__ == "__main__":
    main()
