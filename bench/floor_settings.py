"""
Settings for the load benchmark (bench/load.py): the site's own settings, with
a URLconf (bench/floor_urls.py) that adds Django's floor to the site, and
static files collected into the benchmark's own directory, never the site's.
"""

import os

from archive.settings import *  # noqa: F403 (the site's settings, unchanged but for these)
from archive.settings import BASE_DIR

ROOT_URLCONF = "bench.floor_urls"
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", str(BASE_DIR / "bench" / ".data" / "static"))
