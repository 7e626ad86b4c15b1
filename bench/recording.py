"""
What a long recording costs to take: the check, the remux and the stripping that
``Recording.store`` runs (``stories.recordings.audio.prepared_recording``), with the copy a
storage makes of the result, and no database.

    .venv/bin/python bench/recording.py                  # 30 minutes, three runs of each
    .venv/bin/python bench/recording.py --minutes 5 --runs 1

Three recordings are generated with PyAV into bench/.data/ (kept and reused), from the
committed browser fixtures' own packets repeated for the length asked, so each is the size a
browser's would be: a WebM/Opus as Chrome records it (tests/data/audio/chromium.webm, about
110 kbit/s), a fragmented MP4/AAC as Safari records it (tests/data/audio/safari-style.mp4),
and, to compare, the Ogg Opus file the WebM becomes (an Ogg upload: stripping only, no remux).

Each run is a fresh Python process that imports Django and PyAV, then takes the file: it
reports the wall time of the take, and the peak resident memory before it (the process
as imported) and after it (``resource.getrusage``: FFmpeg's C allocations count, which
tracemalloc would not see); one more run, not timed, gives tracemalloc's peak of Python's own
allocations (tracemalloc slows Python down several times). The length
limit is lifted for the run (``RECORDING_MAX_SECONDS``), so the work is measured, not the
refusal. It prints figures; it asserts nothing.
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import av

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / ".data"
FIXTURES = ROOT / "tests" / "data" / "audio"


# --- Generating the recordings ---


def repeated(source_path, target_path, seconds, container_format, options=None):
    """Write the first audio stream's packets of ``source_path``, repeated for ``seconds``."""
    with av.open(str(source_path)) as source:
        stream = source.streams.audio[0]
        packets = [packet for packet in source.demux(stream) if packet.dts is not None]
        time_base = stream.time_base
        with av.open(str(target_path), "w", format=container_format, options=options or {}) as out:
            copy = out.add_stream_from_template(stream)
            start = packets[0].pts
            span = packets[-1].pts + packets[-1].duration - start
            repeats = int(seconds / float(span * time_base)) + 1
            for repeat in range(repeats):
                for original in packets:
                    pts = original.pts - start + repeat * span
                    if pts * time_base >= seconds:
                        break
                    packet = av.Packet(bytes(original))
                    packet.pts = packet.dts = pts
                    packet.duration = original.duration
                    packet.time_base = time_base
                    packet.stream = copy
                    out.mux(packet)


def generated(minutes):
    DATA.mkdir(exist_ok=True)
    seconds = minutes * 60
    webm = DATA / f"recording-{minutes}min.webm"
    fmp4 = DATA / f"recording-{minutes}min.mp4"
    ogg = DATA / f"recording-{minutes}min.ogg"
    if not webm.exists():
        repeated(FIXTURES / "chromium.webm", webm, seconds, "webm")
    if not fmp4.exists():
        repeated(
            FIXTURES / "safari-style.mp4",
            fmp4,
            seconds,
            "mp4",
            {"movflags": "frag_keyframe+empty_moov+default_base_moof", "frag_duration": "1000000"},
        )
    if not ogg.exists():
        repeated(webm, ogg, seconds, "ogg")
    return {"WebM/Opus (remux)": webm, "fragmented MP4/AAC": fmp4, "Ogg Opus (no remux)": ogg}


# --- In the child process: take one file ---


def take(path, *, trace):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    os.environ["RECORDING_MAX_SECONDS"] = str(10 * 24 * 3600)
    import django

    django.setup()
    from django.core.files import File

    from stories.recordings.audio import prepared_recording

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    with open(path, "rb") as upload, prepared_recording(File(upload)) as checked:
        # What the storage does with it: a copy, in pieces.
        with tempfile.TemporaryFile() as stored:
            shutil.copyfileobj(checked.file, stored, 64 * 1024)
        result = {"duration": checked.duration, "size": checked.size, "type": checked.mime_type}
    result["seconds"] = time.perf_counter() - started
    result["python_peak"] = tracemalloc.get_traced_memory()[1] if trace else None
    result["rss_before"] = before * 1024
    result["rss_peak"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(result))


# --- The parent: generate, measure, print ---


def run_child(path, *options):
    child = subprocess.run(
        [sys.executable, __file__, "--take", str(path), *options],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def mb(size):
    return f"{size / 1_000_000:.1f} MB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--take", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.take:
        take(arguments.take, trace=arguments.trace)
        return
    print(f"{arguments.minutes}-minute recordings, {arguments.runs} runs each, median of runs")
    print("| recording | size | length taken | wall time | peak RSS (before → after) |", end="")
    print(" Python peak |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, path in generated(arguments.minutes).items():
        runs = [run_child(path) for _run in range(arguments.runs)]
        # tracemalloc slows Python down several times: its own run, not timed.
        python_peak = run_child(path, "--trace")["python_peak"]

        def median(key, runs=runs):
            return statistics.median(run[key] for run in runs)

        print(
            f"| {name} | {mb(path.stat().st_size)} | {runs[0]['duration']:.1f} s "
            f"({runs[0]['type']}) | {median('seconds'):.2f} s | "
            f"{mb(median('rss_before'))} → {mb(median('rss_peak'))} | "
            f"{mb(python_peak)} |"
        )


if __name__ == "__main__":
    main()
