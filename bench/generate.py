"""
Fill a database with N synthetic published stories, for benchmarks.

    DATABASE_URL=... .venv/bin/python bench/generate.py --stories 100000

The stories are built from the sentences of the fictional sample archive
(fixtures/sample_archive.json), language by language, about a third in
Spanish, every perspective and theme, 8 to 30 sentences each. Reusing those
sentences alone would give 100,000 stories the vocabulary of 46 (about 1,300
words a language, each in a large share of the stories), where real writing
keeps meeting new words: a corpus of 30 million words has well over 100,000
distinct ones (Heaps' law). So three in four words that are not stop words are
replaced by a word drawn from a Zipf distribution over a vocabulary of 60,000
a language: made-up words, and from the 100th rank on the sample's own words in
their order of frequency at every fourth rank. Common words stay common,
topical ones become as rare as they are in real testimony, and the long tail
is there. The text reads as nonsense; its statistics are what a search index
meets. A third of the stories have a recording, cleared, with a transcript of
10 to 40 paragraphs (one to three sentences each, in the story's language);
half of those an index of 3 to 8 segments; one story in six the archive's
translation of its title, summary and text, and of its transcript and index,
drawn the same way from the other language. The stories are approved,
published over the last five years, marked as sample content, and indexed for
search. The database is given the database cache's
table and migrated first; stories already in it are kept.
"""

import argparse
import collections
import datetime
import itertools
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

from stories.models import (  # noqa: E402
    OTHER_LANGUAGE,
    ConsentText,
    IndexSegment,
    Licence,
    Perspective,
    Recording,
    Story,
    TaggedTheme,
    Theme,
    TranscriptSegment,
)
from stories.search import index as search_index  # noqa: E402
from stories.search.text import STOP_WORDS, fold  # noqa: E402

BATCH = 2000
RECORDED, INDEXED, TRANSLATED = 1 / 3, 1 / 2, 1 / 6
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
WORD = re.compile(r"[^\W\d_]+")
VOCABULARY_SIZE = 60_000
REPLACED = 0.75
SAMPLE_SPACING = 4
SAMPLE_FIRST_RANK = 100
SYLLABLES = {
    "en": "ba be bi bo bu ca co da de di do fa fe fi ga go ha he hi ja ka la le li lo lu ma "
    "me mi mo na ne ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve wa we "
    "ton ber ling ster ward ley son field ham",
    "es": "ba be bi bo bu ca ce ci co cu cha che chi da de di do du fa fe fi fo ga gue gui go "
    "la le li lo lu lla lle ma me mi mo mu na ne ni no ña ñe pa pe pi po ra re ri ro rra "
    "sa se si so ta te ti to tu va ve vi za zo ción dad mente ero era ado ida",
}
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


class Vocabulary:
    """Words of one language, drawn with Zipf's law: the r-th most frequent with weight 1/r."""

    def __init__(self, rng, language, sentences):
        stop_words = STOP_WORDS[language]
        counts = collections.Counter(
            word.lower()
            for sentence in sentences
            for word in WORD.findall(sentence)
            if fold(word) not in stop_words
        )
        sample_words = [word for word, _ in counts.most_common()]
        known = set(sample_words)
        syllables = SYLLABLES[language].split()
        made_up = []
        while len(sample_words) + len(made_up) < VOCABULARY_SIZE:
            word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
            if word not in known:
                known.add(word)
                made_up.append(word)
        # The sample's words keep their order but take every SAMPLE_SPACING-th rank from
        # SAMPLE_FIRST_RANK on: 46 stories show which words matter here, not how rare they
        # are among all words, and everyday words come before any topic's.
        words = []
        for rank in range(VOCABULARY_SIZE):
            sample_rank = rank >= SAMPLE_FIRST_RANK and rank % SAMPLE_SPACING == 0
            source = sample_words if sample_rank and sample_words else made_up
            words.append(source.pop(0) if source is sample_words else source.pop())
        self.words = words
        self.cumulative = list(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))
        self.stop_words = stop_words

    def rewrite(self, rng, text):
        """``text`` with three in four of its words that are not stop words drawn anew."""
        tokens = WORD.findall(text)
        drawn = iter(rng.choices(self.words, cum_weights=self.cumulative, k=len(tokens)))

        def replace(match):
            word = match.group()
            new = next(drawn)
            if fold(word) in self.stop_words or rng.random() > REPLACED:
                return word
            return new.capitalize() if word[0].isupper() else new

        return WORD.sub(replace, text)


def synthetic_story(
    rng, n, sentences, descriptors, perspectives, vocabularies, now, consent, licences
):
    language = "es" if rng.random() < 0.35 else "en"
    pool = sentences[language]
    vocabulary = vocabularies[language]
    body_sentences = [
        vocabulary.rewrite(rng, sentence)
        for sentence in rng.sample(pool, rng.randint(8, min(30, len(pool))))
    ]
    paragraphs = [" ".join(body_sentences[i : i + 4]) for i in range(0, len(body_sentences), 4)]
    title_words = vocabulary.rewrite(rng, rng.choice(pool)).rstrip(".!?").split()
    translation = {}
    if rng.random() < TRANSLATED:
        other = OTHER_LANGUAGE[language]
        translation = {
            "title_translation": said(rng, sentences, vocabularies, other, 1)[:200],
            "summary_translation": said(rng, sentences, vocabularies, other, 1)[:300],
            "body_translation": said(rng, sentences, vocabularies, other, len(body_sentences)),
        }
    return Story(
        **translation,
        title=" ".join(title_words[:10])[:200] or f"Story {n}",
        # What approval would have given it; unique, and short to generate.
        slug=f"bench-{n}",
        summary=vocabulary.rewrite(rng, rng.choice(pool))[:300],
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
        consent=consent,
        # Taken in turn, not drawn, so the archive's words stay those of earlier runs.
        licence=licences[n % len(licences)],
        consent_language=language,
        consent_given_at=now - datetime.timedelta(days=5 * 365 + 1),
    )


def said(rng, sentences, vocabularies, language, count):
    pool = sentences[language]
    chosen = (rng.choice(pool) for _ in range(count))
    return " ".join(vocabularies[language].rewrite(rng, sentence) for sentence in chosen)


def recorded(rng, stories, sentences, vocabularies, now, first):
    """Cleared recordings, transcripts and indexes for about a third of ``stories``."""
    recordings, paragraphs, segments = [], [], []
    for n, story in enumerate(stories, start=first):
        if rng.random() >= RECORDED:
            continue
        other = OTHER_LANGUAGE[story.language]
        translated = bool(story.body_translation)
        start, starts = 0.0, []
        for _ in range(rng.randint(10, 40)):
            starts.append(start)
            paragraphs.append(
                TranscriptSegment(
                    story=story,
                    start=datetime.timedelta(seconds=start),
                    text=said(rng, sentences, vocabularies, story.language, rng.randint(1, 3)),
                    text_translation=said(rng, sentences, vocabularies, other, rng.randint(1, 3))
                    if translated
                    else "",
                )
            )
            start += rng.uniform(10, 40)
        recordings.append(
            Recording(
                story=story,
                stored_as=f"recordings/bench-{n}.ogg",
                mime_type="audio/ogg",
                duration=start,
                size=int(start * 16_000),
                cleared_at=now,
            )
        )
        if rng.random() < INDEXED:
            for at in sorted(rng.sample(starts, rng.randint(3, min(8, len(starts))))):

                def texts(language):
                    return {
                        "title": said(rng, sentences, vocabularies, language, 1)[:80],
                        "synopsis": said(rng, sentences, vocabularies, language, 2),
                        "keywords": ", ".join(
                            said(rng, sentences, vocabularies, language, 1).split()[:3]
                        ),
                    }

                own = texts(story.language)
                translation = texts(other) if translated else {}
                segments.append(
                    IndexSegment(
                        story=story,
                        start=datetime.timedelta(seconds=at),
                        **own,
                        **{f"{name}_translation": text for name, text in translation.items()},
                    )
                )
    Recording.objects.bulk_create(recordings)
    TranscriptSegment.objects.bulk_create(paragraphs, batch_size=5000)
    IndexSegment.objects.bulk_create(segments, batch_size=5000)


def generate(count, seed=2026):
    rng = random.Random(seed)
    sentences, descriptors = sample_sentences()
    vocabularies = {
        language: Vocabulary(rng, language, pool) for language, pool in sentences.items()
    }
    perspectives = list(Perspective.objects.all())
    themes = list(Theme.objects.all())
    now = timezone.now()
    consent = ConsentText.objects.current()
    licences = list(Licence.objects.offered())
    created = 0
    while created < count:
        size = min(BATCH, count - created)
        with transaction.atomic():
            stories = Story.objects.bulk_create(
                synthetic_story(
                    rng,
                    created + i,
                    sentences,
                    descriptors,
                    perspectives,
                    vocabularies,
                    now,
                    consent,
                    licences,
                )
                for i in range(size)
            )
            recorded(rng, stories, sentences, vocabularies, now, created)
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

    # The database cache's table first, which migrate does not make: without
    # Redis the page cache keeps its generation there, and the seeding
    # migrations already renew it.
    call_command("createcachetable", verbosity=0)
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    generate(args.stories, seed=args.seed)
    generated = time.perf_counter()
    search_index.rebuild()
    with connection.cursor() as cursor:
        # Fresh statistics, and on PostgreSQL the rows the rebuild replaced cleared
        # away, as autovacuum does on a database that has been running a while.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    indexed = time.perf_counter()
    total = Story.objects.published().count()
    print(
        f"{args.stories} stories generated in {generated - started:.1f} s, "
        f"search index rebuilt in {indexed - generated:.1f} s; "
        f"{total} published stories in the database."
    )


if __name__ == "__main__":
    main()
