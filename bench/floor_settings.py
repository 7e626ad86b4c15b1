"""
Settings for the load benchmark (bench/load.py): the site's own settings, with
a URLconf (bench/floor_urls.py) that adds Django's floor to the site.
"""

from archive.settings import *  # noqa: F403 (the site's settings, unchanged but for the URLconf)

ROOT_URLCONF = "bench.floor_urls"
