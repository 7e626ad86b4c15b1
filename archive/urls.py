from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from stories.admin.language import choose_language
from stories.health import healthz
from stories.pages.guards import limit_sign_ins

admin.site.login = limit_sign_ins(admin.site.login)

# Machine endpoints stay unprefixed; pages for people are English at the
# root and Spanish under /es/.
urlpatterns = [
    # Before the admin's own addresses, which would answer it with a 404.
    path("admin/language/", admin.site.admin_view(choose_language), name="admin-language"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("stories.opendata.urls")),
]

urlpatterns += i18n_patterns(
    path("", include("stories.pages.urls")),
    prefix_default_language=False,
)
