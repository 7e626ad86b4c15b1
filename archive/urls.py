from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from stories.health import healthz

# Machine endpoints stay unprefixed; pages for people are English at the
# root and Spanish under /es/.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

urlpatterns += i18n_patterns(
    path("", include("stories.urls")),
    prefix_default_language=False,
)
