"""
Readers and narrators at once: 64 clients for 60 seconds against gunicorn and
PostgreSQL on loopback, then a count of every submission in the database.

    .venv/bin/python bench/mixed_load.py                 # 100,000 stories, 60 s
    .venv/bin/python bench/mixed_load.py --stories 1000 --duration 10

Readers are wrk processes with Lua scripts (bench/lua/), not locust: wrk is a
C program whose client costs little CPU, which matters on a two-core machine
that also runs the server and the database; locust's Python clients would take
a large share of it and measure themselves. bench/load.py uses wrk already.
Narrators are not: each walks the share form's steps in a session of its own,
which wrk's Lua cannot easily keep per connection, so they are four threads of
a Python process of their own (``requests``), few enough to cost little.

Every client sends its next request as soon as the last is answered, with no
pause to read or type; CLIENTS says how many there are of each (64 in all):

- **browse**: the home pages, story lists (first pages and deep ones, with
  filters), perspectives and themes, in English and Spanish;
- **story**: story pages, newest and old;
- **search**: the 50 queries of bench/search.py, some with filters;
- **submit**: narrators telling new stories one after another through the
  share form's steps: the share page, the choice to write, then each step's
  answers posted in turn (the steps and their fields are
  stories/pages/share_steps.py's), the last with "Send", with the CSRF token
  and the session in cookies. Each post must be answered with the redirect
  to the next step, the last with the one to the thank-you page (the
  acknowledgement); redirects are not followed, so the step pages a browser
  would show between posts are not asked for. Each story has its own title
  ("<run>-<narrator>-<n>") and the one-time submission id its draft is given;
  the share rate limit is raised for the run. A walk that stops (an error, a
  timeout, a step that does not move on) is counted, and the narrator begins
  the next story in a new session;
- **approve**: a moderator approving one of those stories every ten seconds
  (``--approve-every``), oldest first, in a Python process of its own on the
  same database and cache (``Story.approve``, what the admin's Approve
  calls): each approval renews the archive's generation, so every page the
  page cache kept is cold again, as on a busy day of moderation.

The narrators' and the moderator's processes set Django up first; the readers
start when they are ready, and all stop together. A client gives up on an
answer after 30 s, gunicorn's own limit on a request (gunicorn.conf.py): a
slower answer counts as a socket error. The site runs as bench/load.py runs it
(gunicorn.conf.py, DEBUG off, Redis as cache, the page cache on). Reported per
action: requests, requests/s, p50 and p99 latency, answers that were not
2xx/3xx, socket errors. Narrators have two rows: "submit", a whole story from
opening the share page to the acknowledgement (its errors are the walks they
stopped), and "step", each request of it. Then for submissions, how many were
sent (the "Send" posted), acknowledged (its redirect to the thank-you page),
turned back by a step, and are in the database afterwards, each once and with
its creation event; for approvals, how many and how long each took. The run's
stories are deleted at the end. It prints figures; it asserts nothing.
"""

import argparse
import collections
import itertools
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import requests

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


def start_wrk(action, base, duration, connections, paths_file):
    return subprocess.Popen(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "30s",
            "-s",
            str(HERE / "lua" / "paths.lua"),
            base,
            "--",
            paths_file,
        ],  # fmt: skip
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "LUA_DIR": str(HERE / "lua")},
    )


def start_child(role, database_url, args, run):
    """This script again, as the moderator or the narrators, on the server's database and
    cache; it says when it is ready, and waits to be told when to stop (``go``)."""
    return subprocess.Popen(
        [sys.executable, __file__, f"--{role}", run, "--bind", args.bind,
         "--approve-every", str(args.approve_every)],
        env={**os.environ, "DATABASE_URL": database_url, "REDIS_URL": args.redis},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def wait_until_ready(process):
    # Setting Django up takes seconds on a busy machine: the readers wait for it.
    if process.stdout.readline().strip() != "ready":
        raise RuntimeError(f"a child process failed ({process.wait()})")


def go(process, until):
    process.stdin.write(f"{until}\n")
    process.stdin.flush()


def reported_by(process):
    """The one line of JSON a child printed last."""
    output, _ = process.communicate()
    if process.returncode != 0 or not output.strip():
        raise RuntimeError(f"a child process failed ({process.returncode}):\n{output}")
    return json.loads(output.strip().splitlines()[-1])


def result_of(process):
    output, _ = process.communicate()
    line = next((line for line in output.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    return json.loads(line.removeprefix("RESULT "))


# --- In child processes, on the benchmark's database: the moderator, the narrators, and
# the count, then the clearing, of one run's stories. ---


def set_up_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()


def ready_to_go():
    """Tell the parent this process is ready; when to stop (epoch seconds) comes back."""
    print("ready", flush=True)
    return float(sys.stdin.readline())


def moderate(run, every):
    """Approve the run's oldest pending story every ``every`` seconds until told to stop."""
    set_up_django()
    from django.contrib.auth import get_user_model

    from stories.models import Story

    moderator, _ = get_user_model().objects.get_or_create(
        username="bench-moderator", defaults={"is_staff": True}
    )
    took = []
    deadline = time.monotonic() + ready_to_go() - time.time()
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


def narrate(run, base):
    """CLIENTS["submit"] narrators, each telling stories one after another until told to stop.

    Each is a browser of its own (a session and its cookies) walking the share
    form's steps; a walk still under way at the stop is left, as wrk leaves
    its requests. Prints the figures as one line of JSON.
    """
    set_up_django()
    from django.db import connections

    from stories.pages.share_steps import STEPS

    answers = story_answers()
    connections.close_all()  # the narrators speak to the site over HTTP only
    figures = NarratorFigures()
    until = ready_to_go()
    started = time.time()
    for number in range(1, CLIENTS["submit"] + 1):
        name = f"{run}-{number}"
        browser = Browser(base, figures, STEPS)
        threading.Thread(target=narrator, args=(name, browser, answers), daemon=True).start()
    time.sleep(max(0.0, until - time.time()))
    print(json.dumps(figures.report(time.time() - started)))


def story_answers():
    """A whole, valid story as the first page and the steps ask for it (the shape of
    tests/factories.py's share_data()), but its title: anonymous, written, marked as a
    load test's."""
    from stories.models import ConsentText, Licence, Perspective, Theme
    from stories.pages.share_steps import WRITE

    return {
        "telling": WRITE,
        "body": STORY_BODY,
        "summary": "A street that waited.",
        "language": "en",
        "perspective": str(Perspective.objects.first().pk),
        "themes": [str(pk) for pk in Theme.objects.values_list("pk", flat=True)[:2]],
        "appear": "anonymous",
        "narrator_descriptor": "a neighbour",
        "year_happened": "2020",
        "show_from": "now",
        "website": "",
        "licence": str(Licence.objects.default().pk),
        "consent": "on",
        "consent_version": ConsentText.objects.current().version,
    }


def narrator(name, browser, answers):
    """Stories "<name>-1", "<name>-2"... one after another, each walked to its acknowledgement.

    A walk that stops (an error, a timeout, a step that does not move on)
    is counted, and the next story begins in a new browser, with no draft.
    """
    for told in itertools.count(1):
        began = time.perf_counter()
        try:
            browser.tell({**answers, "title": f"{name}-{told}"})
        except WalkStopped as stopped:
            browser.figures.count("submit", stopped.why)
            browser = browser.new()
        else:
            browser.figures.took("submit", began)


class WalkStopped(Exception):
    def __init__(self, why):
        super().__init__(why)
        self.why = why  # "not_2xx_3xx", "socket_errors" or "turned_back"


class Browser:
    """A narrator's browser: its cookies (CSRF, session) and one connection, kept alive."""

    def __init__(self, base, figures, steps):
        self.base = base
        self.figures = figures
        self.steps = steps  # stories.pages.share_steps.STEPS
        self.session = requests.Session()

    def new(self):
        """The next browser: no cookies, so no draft."""
        return Browser(self.base, self.figures, self.steps)

    def tell(self, answers):
        """Open the share page, choose to write, post each step's answers, the last with "Send".

        Each post must be answered with the redirect to the next step (the
        last, to the thank-you page), which is not followed: as with the one
        long form before, the narrators' load is their posts.
        """
        self.exchange("GET", SHARE_PATH)
        first = step_path(self.steps[0])
        self.exchange("POST", SHARE_PATH, {"telling": answers["telling"]}, leads_to=first)
        following = [step_path(step) for step in self.steps[1:]] + [THANKS_PATH]
        for step, leads_to in zip(self.steps, following, strict=True):
            posted = {name: answers[name] for name in step.fields if name in answers}
            sending = leads_to == THANKS_PATH
            if sending:
                self.figures.count("submit", "sent")
            button = {"send": "1"} if sending else {"next": ""}
            self.exchange("POST", step_path(step), {**posted, **button}, leads_to=leads_to)
        self.figures.count("submit", "acknowledged")

    def exchange(self, method, path, data=None, *, leads_to=None):
        """One request, timed: a page (200) is expected, or with ``leads_to`` a redirect there."""
        if data is not None:  # Django takes the cookie's secret as the form's token too
            data = {**data, "csrfmiddlewaretoken": self.session.cookies.get("csrftoken", "")}
        began = time.perf_counter()
        try:
            answer = self.session.request(
                method, self.base + path, data=data, allow_redirects=False, timeout=30
            )
        except requests.RequestException:
            self.figures.count("step", "socket_errors")
            raise WalkStopped("socket_errors") from None
        self.figures.took("step", began)
        if answer.status_code >= 400:
            self.figures.count("step", "not_2xx_3xx")
            raise WalkStopped("not_2xx_3xx")
        if leads_to is None:
            moved_on = answer.status_code == 200
        else:
            moved_on = answer.is_redirect and answer.headers["Location"] == leads_to
        if not moved_on:
            raise WalkStopped("turned_back")


SHARE_PATH, THANKS_PATH = "/share/", "/share/thanks/"


def step_path(step):
    return f"{SHARE_PATH}{step.slug}/"


class NarratorFigures:
    """What the narrators' threads count and time, for the table's "submit" and "step" rows."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ms = {"submit": [], "step": []}
        self.counts = collections.Counter()

    def took(self, row, began):
        with self.lock:
            self.ms[row].append((time.perf_counter() - began) * 1000)

    def count(self, row, what):
        with self.lock:
            self.counts[row, what] += 1

    def report(self, seconds):
        with self.lock:
            rows = {
                row: {
                    "requests": len(ms),
                    "seconds": seconds,
                    "p50_ms": percentile(ms, 50),
                    "p99_ms": percentile(ms, 99),
                    "not_2xx_3xx": self.counts[row, "not_2xx_3xx"],
                    "socket_errors": self.counts[row, "socket_errors"],
                }
                for row, ms in self.ms.items()
            }
            for what in ("sent", "acknowledged", "turned_back"):
                rows["submit"][what] = self.counts["submit", what]
        return rows


def percentile(values, share):
    """The nearest-rank percentile, 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share / 100 * len(ordered)) - 1)]


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
    parser.add_argument("--narrate", metavar="RUN", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.count_and_delete:
        return count_and_delete(args.count_and_delete)
    if args.moderate:
        return moderate(args.moderate, args.approve_every)
    if args.narrate:
        return narrate(args.narrate, f"http://{args.bind}")

    database_url = prepare("postgresql", args.stories, args.postgres, args.database_prefix)
    base = f"http://{args.bind}"
    run = f"load-{int(time.time())}"
    os.environ["SHARE_RATE_LIMIT"] = "1000000"
    server = serve(database_url, args.redis, "cache warm", args.bind)
    try:
        wait_for(base + "/")
        with tempfile.TemporaryDirectory() as scratch:
            narrators = start_child("narrate", database_url, args, run)
            moderator = None
            if args.approve_every > 0:
                moderator = start_child("moderate", database_url, args, run)
            children = [process for process in (narrators, moderator) if process]
            paths_files = {}
            for action, paths in reader_paths(base, args.stories).items():
                paths_files[action] = Path(scratch) / f"{action}.txt"
                paths_files[action].write_text("\n".join(paths) + "\n")
            for process in children:
                wait_until_ready(process)
            until = time.time() + args.duration
            readers = {
                action: start_wrk(action, base, args.duration, CLIENTS[action], str(paths_file))
                for action, paths_file in paths_files.items()
            }
            for process in children:
                go(process, until)
            results = {action: result_of(process) for action, process in readers.items()}
            results.update(reported_by(narrators))
            approvals = reported_by(moderator) if moderator else None
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
    clients = {**CLIENTS, "step": CLIENTS["submit"]}
    for action, figures in results.items():
        print(
            f"{action:<8}{clients[action]:>8}{figures['requests']:>10}"
            f"{figures['requests'] / figures['seconds']:>9.1f}"
            f"{figures['p50_ms']:>9.1f}{figures['p99_ms']:>9.1f}"
            f"{figures['not_2xx_3xx']:>13}{figures['socket_errors']:>15}"
        )
    print(
        "submit: a whole story, from opening the share page to the acknowledgement; "
        "step: each request of it."
    )
    submitted = results["submit"]
    print(
        f"\nSubmissions: {submitted['sent']} sent, {submitted['acknowledged']} acknowledged, "
        f"{submitted['turned_back']} turned back by a step, "
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
