from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from stories.admin.language import choose_language
from stories.health import healthz
from stories.pages.guards import limit_code_attempts, limit_sign_ins
from stories.signin import views as two_factor

admin.site.login = limit_sign_ins(admin.site.login)

# The second factor's pages live under the admin's address (its door lets them
# through before the code), ahead of the admin's own catch-all.
two_factor_patterns = [
    path("enrol/", limit_code_attempts(two_factor.enrol), name="two-factor-enrol"),
    path("enrol/key.svg", two_factor.authenticator_key, name="two-factor-key"),
    path("enrol/recovery-codes/", two_factor.recovery_codes, name="two-factor-recovery-codes"),
    path("code/", limit_code_attempts(two_factor.verify), name="two-factor-verify"),
]

# Machine endpoints stay unprefixed; pages for people are English at the
# root and Spanish under /es/.
urlpatterns = [
    # Before the admin's own addresses, which would answer it with a 404.
    path("admin/language/", admin.site.admin_view(choose_language), name="admin-language"),
    path("admin/two-factor/", include(two_factor_patterns)),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("", include("stories.opendata.urls")),
]

urlpatterns += i18n_patterns(
    path("", include("stories.pages.urls")),
    prefix_default_language=False,
)
