"""
Fill a database with N synthetic published stories, for benchmarks.

    DATABASE_URL=... .venv/bin/python bench/generate.py --stories 100000

The stories are recombined from the sentences of the fictional sample archive
(fixtures/sample_archive.json), language by language, so their vocabulary and
word frequencies are those of real-sounding testimony in English and Spanish:
about a third in Spanish, every perspective and theme, 8 to 30 sentences each.
They are approved, published over the last five years, marked as sample
content, and indexed for search. The database is migrated first; stories
already in it are kept.
"""

import argparse
import datetime
import json
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from stories import search  # noqa: E402
from stories.models import Perspective, Story, TaggedTheme, Theme  # noqa: E402

BATCH = 2000
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
PLACES = [
    "Boyle Heights", "Pacoima", "Koreatown", "Westlake", "South LA", "Highland Park",
    "Van Nuys", "San Pedro", "Eagle Rock", "Huntington Park", "Downtown", "Pico-Union",
    "Echo Park", "Watts", "Sylmar", "Lincoln Heights", "El Sereno", "Wilmington",
]  # fmt: skip


def sample_sentences():
    fixture = json.loads((ROOT / "fixtures" / "sample_archive.json").read_text("utf-8"))
    sentences = {"en": [], "es": []}
    descriptors = {"en": [], "es": []}
    for entry in fixture:
        if entry["model"] != "stories.story":
            continue
        fields = entry["fields"]
        language = fields["language"]
        for paragraph in fields["body"].split("\n"):
            sentences[language].extend(s for s in SENTENCE_END.split(paragraph) if s.strip())
        if fields["narrator_descriptor"]:
            descriptors[language].append(fields["narrator_descriptor"])
    return sentences, descriptors


def synthetic_story(rng, n, sentences, descriptors, perspectives, now):
    language = "es" if rng.random() < 0.35 else "en"
    pool = sentences[language]
    body_sentences = rng.sample(pool, rng.randint(8, min(30, len(pool))))
    paragraphs = [" ".join(body_sentences[i : i + 4]) for i in range(0, len(body_sentences), 4)]
    title_words = rng.choice(pool).rstrip(".!?").split()
    return Story(
        title=" ".join(title_words[:10])[:200] or f"Story {n}",
        summary=rng.choice(pool)[:300],
        body="\n\n".join(paragraphs),
        narrator_name="" if rng.random() < 0.25 else f"Narrator {n}",
        is_anonymous=False,
        narrator_descriptor=rng.choice(descriptors[language]) if descriptors[language] else "",
        perspective=rng.choice(perspectives),
        language=language,
        place=rng.choice(PLACES),
        year_happened=rng.randint(1979, now.year),
        is_sample=True,
        status=Story.Status.APPROVED,
        published_at=now - datetime.timedelta(minutes=rng.randint(0, 5 * 365 * 24 * 60)),
        submitted_at=now - datetime.timedelta(days=5 * 365 + 1),
        consent_given=True,
        consent_version="bench",
    )


def generate(count, seed=2026):
    rng = random.Random(seed)
    sentences, descriptors = sample_sentences()
    perspectives = list(Perspective.objects.all())
    themes = list(Theme.objects.all())
    now = timezone.now()
    created = 0
    while created < count:
        size = min(BATCH, count - created)
        with transaction.atomic():
            stories = Story.objects.bulk_create(
                synthetic_story(rng, created + i, sentences, descriptors, perspectives, now)
                for i in range(size)
            )
            TaggedTheme.objects.bulk_create(
                TaggedTheme(content_object=story, tag=theme)
                for story in stories
                for theme in rng.sample(themes, rng.randint(1, 3))
            )
        created += size
    return created


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generate(args.stories, seed=args.seed)
    generated = time.perf_counter()
    search.rebuild()
    with connection.cursor() as cursor:
        # Fresh statistics, as a database that has been running a while has them.
        cursor.execute("ANALYZE")
    indexed = time.perf_counter()
    total = Story.objects.published().count()
    print(
        f"{args.stories} stories generated in {generated - started:.1f} s, "
        f"search index rebuilt in {indexed - generated:.1f} s; "
        f"{total} published stories in the database."
    )


if __name__ == "__main__":
    main()
