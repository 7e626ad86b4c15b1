"""
The site's URLs plus ``/bench/floor/``, for bench/load.py only.

The floor goes through the same middleware as every page and returns a fixed
string without touching the database: no Django page can be faster on this
machine, so each page's throughput is reported as a share of it.
"""

from django.http import HttpResponse
from django.urls import path

# i18n_patterns cannot be included, so the site's list is extended instead.
from archive.urls import urlpatterns as site_urlpatterns


def floor(request):
    return HttpResponse("Django's floor: a fixed string, no database.")


urlpatterns = [path("bench/floor/", floor), *site_urlpatterns]
