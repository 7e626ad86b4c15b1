"""
Readers and narrators at once: 64 clients for 60 seconds against gunicorn and
PostgreSQL on loopback, then a count of every submission in the database.

    .venv/bin/python bench/mixed_load.py                 # 100,000 stories, 60 s
    .venv/bin/python bench/mixed_load.py --stories 1000 --duration 10

Why wrk with Lua scripts (bench/lua/), not locust: wrk is a C program whose
client costs little CPU, which matters on a two-core machine that also runs
the server and the database; locust's Python clients would take a large share
of it and measure themselves. bench/load.py uses wrk already.

Four wrk processes run at the same time, one per action, with the connections
of CLIENTS (64 in all; each sends its next request as soon as the last is
answered, with no pause to read):

- **browse**: the home pages, story lists (first pages and deep ones, with
  filters), perspectives and themes, in English and Spanish;
- **story**: story pages, newest and old;
- **search**: the 50 queries of bench/search.py, some with filters;
- **submit**: narrators posting new stories through the share form, each with
  its own title and one-time id (the rate limit raised for the run);
- **approve**: a moderator approving one of those stories every ten seconds
  (``--approve-every``), oldest first, in a Python process of its own on the
  same database and cache (``Story.approve``, what the admin's Approve
  calls): each approval renews the archive's generation, so every page the
  page cache kept is cold again, as on a busy day of moderation.

wrk gives up on an answer after 30 s, gunicorn's own limit on a request
(gunicorn.conf.py): a slower answer counts as a socket error. The site runs
as bench/load.py runs it (gunicorn.conf.py, DEBUG off, Redis as
cache, the page cache on). Reported per action: requests, requests/s, p50 and
p99 latency, answers that were not 2xx/3xx, socket errors; for submissions,
how many were sent, acknowledged (the redirect to the thank-you page) and are
in the database afterwards, each once and with its creation event; for
approvals, how many and how long each took. The run's stories are deleted at
the end. It prints figures; it asserts nothing.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from load import serve, wait_for  # noqa: E402  (the same server as bench/load.py)
from search import DATABASE_PREFIX_HELP, QUERIES, child, prepare  # noqa: E402

# Clients per action, out of 64: readers far outnumber narrators, as on the site.
CLIENTS = {"browse": 24, "story": 20, "search": 16, "submit": 4}
STORY_BODY = (
    "I want to say what the last years were like on our street. Some neighbours stopped "
    "going to the park and to the clinic, and the church started a phone tree so that "
    "nobody would be alone if something happened. Most days nothing happened, and that "
    "was its own kind of weight. This was written for a load test and is not a real story."
)


def reader_paths(base, story_count):
    """The addresses readers ask for: lists, perspectives, themes, stories and searches."""
    perspectives = [p["slug"] for p in fetch_json(base + "/api/v1/perspectives/")["results"]]
    themes = [t["slug"] for t in fetch_json(base + "/api/v1/themes/")["results"]]
    pages = max(1, story_count // 20)
    browse = []
    for prefix in ("", "/es"):
        browse += [f"{prefix}/", f"{prefix}/stories/", f"{prefix}/about/moderation/"]
        browse += [f"{prefix}/stories/?page={n}" for n in (2, 5, 50, pages // 2, pages)]
        browse += [f"{prefix}/perspectives/{slug}/" for slug in perspectives]
        browse += [f"{prefix}/themes/{slug}/" for slug in themes]
        browse += [f"{prefix}/stories/?perspective={slug}" for slug in perspectives]
        browse += [f"{prefix}/stories/?theme={slug}&language=es" for slug in themes[:5]]
    stories = []
    last_page = fetch_json(f"{base}/api/v1/stories/?page_size=100")["pages"]
    for page in sorted({1, 2, 3, last_page // 2 or 1, last_page}):
        listing = fetch_json(f"{base}/api/v1/stories/?page_size=100&page={page}")
        stories += [urllib.parse.urlsplit(s["url"]).path for s in listing["results"]]
    searches = [f"/search/?q={urllib.parse.quote(q)}" for q in QUERIES]
    searches += [
        f"/search/?q={urllib.parse.quote(q)}&perspective={perspectives[0]}" for q in QUERIES[:10]
    ]
    searches += [f"/es/search/?q={urllib.parse.quote(q)}&language=es" for q in QUERIES[10:20]]
    return {"browse": browse, "story": stories, "search": searches}


def fetch_json(url):
    with urllib.request.urlopen(url, timeout=60) as answer:
        return json.load(answer)


def share_form_post(base, run):
    """The share form as a narrator's browser holds it: body template and cookie."""
    with urllib.request.urlopen(base + "/share/", timeout=60) as answer:
        page = answer.read().decode()
        cookies = SimpleCookie("; ".join(answer.headers.get_all("Set-Cookie")))

    def value_of(name):
        return re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)[1]

    perspective = re.search(r'name="perspective" value="(\d+)"', page)[1]
    themes = re.findall(r'name="themes" value="(\d+)"', page)[:2]
    fields = {
        "csrfmiddlewaretoken": value_of("csrfmiddlewaretoken"),
        "consent_version": value_of("consent_version"),
        "title": "__TITLE__",
        "submission_id": "__TITLE__",
        "summary": "A street that waited.",
        "body": STORY_BODY,
        "perspective": perspective,
        "themes": themes,
        "language": "en",
        "appear": "anonymous",
        "narrator_descriptor": "a neighbour",
        "year_happened": "2020",
        "show_from": "now",
        "consent": "on",
        "website": "",
    }
    return urllib.parse.urlencode(fields, doseq=True), f"csrftoken={cookies['csrftoken'].value}"


def start_wrk(action, base, duration, connections, files, run):
    script = HERE / "lua" / ("submit.lua" if action == "submit" else "paths.lua")
    arguments = [run, files["body"], files["cookie"]] if action == "submit" else [files[action]]
    return subprocess.Popen(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            base,
            "--",
            *arguments,
        ],  # fmt: skip
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "LUA_DIR": str(HERE / "lua")},
    )


def start_moderator(database_url, args, run):
    """The moderator's process, on the server's database and cache, or None."""
    if args.approve_every <= 0:
        return None
    return subprocess.Popen(
        [sys.executable, __file__, "--moderate", run, "--approve-every", str(args.approve_every),
         "--duration", str(args.duration)],
        env={**os.environ, "DATABASE_URL": database_url, "REDIS_URL": args.redis},
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def result_of(process):
    output, _ = process.communicate()
    line = next((line for line in output.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    return json.loads(line.removeprefix("RESULT "))


# --- In a child process, on the benchmark's database: count, then clear, one run's stories. ---


def set_up_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()


def moderate(run, every, duration):
    """Approve the run's oldest pending story every ``every`` seconds for ``duration``."""
    set_up_django()
    from django.contrib.auth import get_user_model

    from stories.models import Story

    moderator, _ = get_user_model().objects.get_or_create(
        username="bench-moderator", defaults={"is_staff": True}
    )
    took = []
    deadline = time.monotonic() + duration
    next_tick = time.monotonic() + every
    while next_tick < deadline:
        time.sleep(max(0.0, next_tick - time.monotonic()))
        next_tick += every
        pending = Story.objects.filter(
            title__startswith=f"{run}-", status=Story.Status.PENDING
        ).order_by("pk")
        story = pending.first()
        if story is None:
            continue
        started = time.perf_counter()
        story.approve(by=moderator, note="Approved by bench/mixed_load.py")
        took.append((time.perf_counter() - started) * 1000)
    print(json.dumps({"approvals": len(took), "ms": took}))


def count_and_delete(run):
    set_up_django()
    from django.db.models import Count, Q

    from stories.models import Story

    stories = Story.objects.filter(title__startswith=f"{run}-")
    created = Q(events__from_status="", events__to_status=Story.Status.PENDING)
    counted = stories.annotate(creations=Count("events", filter=created))
    figures = {
        "stored": stories.count(),
        "distinct_titles": stories.values("title").distinct().count(),
        "with_one_creation_event": counted.filter(creations=1).count(),
        "with_both_themes": stories.annotate(n=Count("tagged_themes")).filter(n=2).count(),
    }
    stories.delete()
    print(json.dumps(figures))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=60, help="seconds")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database-prefix", default="bench", help=DATABASE_PREFIX_HELP)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--bind", default="127.0.0.1:8792")
    parser.add_argument(
        "--approve-every", type=float, default=10, help="seconds between approvals (0: none)"
    )
    parser.add_argument("--count-and-delete", metavar="RUN", help=argparse.SUPPRESS)
    parser.add_argument("--moderate", metavar="RUN", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.count_and_delete:
        return count_and_delete(args.count_and_delete)
    if args.moderate:
        return moderate(args.moderate, args.approve_every, args.duration)

    database_url = prepare("postgresql", args.stories, args.postgres, args.database_prefix)
    base = f"http://{args.bind}"
    run = f"load-{int(time.time())}"
    os.environ["SHARE_RATE_LIMIT"] = "1000000"
    server = serve(database_url, args.redis, "cache warm", args.bind)
    try:
        wait_for(base + "/")
        with tempfile.TemporaryDirectory() as scratch:
            files = {}
            for action, paths in reader_paths(base, args.stories).items():
                files[action] = str(Path(scratch) / f"{action}.txt")
                Path(files[action]).write_text("\n".join(paths) + "\n")
            body, cookie = share_form_post(base, run)
            files["body"] = str(Path(scratch) / "body.txt")
            Path(files["body"]).write_text(body)
            files["cookie"] = str(Path(scratch) / "cookie.txt")
            Path(files["cookie"]).write_text(cookie)
            processes = {
                action: start_wrk(action, base, args.duration, connections, files, run)
                for action, connections in CLIENTS.items()
            }
            moderator = start_moderator(database_url, args, run)
            results = {action: result_of(process) for action, process in processes.items()}
            approvals = json.loads(moderator.communicate()[0]) if moderator else None
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    stored = json.loads(child(database_url, __file__, "--count-and-delete", run))

    print(
        f"PostgreSQL, {args.stories} stories; gunicorn ({os.cpu_count()} cores); "
        f"{sum(CLIENTS.values())} clients for {args.duration} s; latencies in ms."
    )
    header = (
        f"{'action':<8}{'clients':>8}{'requests':>10}{'req/s':>9}{'p50':>9}{'p99':>9}"
        f"{'non-2xx/3xx':>13}{'socket errors':>15}"
    )
    print(header)
    print("-" * len(header))
    for action, figures in results.items():
        print(
            f"{action:<8}{CLIENTS[action]:>8}{figures['requests']:>10}"
            f"{figures['requests'] / figures['seconds']:>9.1f}"
            f"{figures['p50_ms']:>9.1f}{figures['p99_ms']:>9.1f}"
            f"{figures['not_2xx_3xx']:>13}{figures['socket_errors']:>15}"
        )
    submitted = results["submit"]
    print(
        f"\nSubmissions: {submitted['sent']} sent, {submitted['acknowledged']} acknowledged, "
        f"{stored['stored']} in the database ({stored['distinct_titles']} distinct titles, "
        f"{stored['with_one_creation_event']} with exactly one creation event, "
        f"{stored['with_both_themes']} with both themes); "
        f"acknowledged but missing: {max(0, submitted['acknowledged'] - stored['stored'])}."
    )
    if approvals is not None:
        took = sorted(approvals["ms"]) or [0.0]
        print(
            f"Approvals: {approvals['approvals']}, one every {args.approve_every:g} s; each took "
            f"{took[len(took) // 2]:.0f} ms at the median, {took[-1]:.0f} ms at most."
        )
    print("The server's warnings and errors are in bench/.data/load-cache-warm.log.")


if __name__ == "__main__":
    main()
