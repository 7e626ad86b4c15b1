from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from stories.admin.language import choose_language
from stories.health import healthz
from stories.pages.guards import limit_code_attempts, limit_sign_ins
from stories.signin import passkeys
from stories.signin import views as two_factor

admin.site.login = limit_sign_ins(admin.site.login)

# The second factor's pages live under the admin's address (its door lets them
# through before the code), ahead of the admin's own catch-all.
# django-otp-webauthn's endpoints under the names its template tags look for, with our
# staff-only, recorded views (stories/signin/passkeys.py).
passkey_patterns = [
    path(
        "registration/begin/",
        passkeys.BeginRegistration.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        passkeys.CompleteRegistration.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        passkeys.BeginSignIn.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        passkeys.CompleteSignIn.as_view(),
        name="credential-authentication-complete",
    ),
    # The library's scripts' own words ("Verifying…"), in the admin's language.
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]

two_factor_patterns = [
    path("enrol/", limit_code_attempts(two_factor.enrol), name="two-factor-enrol"),
    path("enrol/key.svg", two_factor.authenticator_key, name="two-factor-key"),
    path("enrol/recovery-codes/", two_factor.recovery_codes, name="two-factor-recovery-codes"),
    path("code/", limit_code_attempts(two_factor.verify), name="two-factor-verify"),
    path("passkeys/", include((passkey_patterns, "otp_webauthn"))),
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
