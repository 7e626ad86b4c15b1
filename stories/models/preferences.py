"""
What a moderator chose for themselves in the admin: for now the language it
speaks to them in (docs/moderation.md, "The admin's language"). The public
pages never read it: their language is their address's (/ or /es/).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _


def language_choices():
    """Each language under its own name ("English", "español"): a moderator who reads only
    one of them finds it whatever language the page is in."""
    return [(code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


class AdminPreferences(models.Model):
    """One moderator's choices for the admin; no row means the browser's language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="admin_preferences",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language of the admin"),
        max_length=8,
        choices=language_choices,
        blank=True,
        help_text=_("Empty: the language your browser asks for (English if it asks for neither)."),
    )

    class Meta:
        ordering = ["user"]
        verbose_name = _("admin preferences")
        verbose_name_plural = _("admin preferences")

    def __str__(self):
        return str(self.user)

    @classmethod
    def language_of(cls, user):
        """The language ``user`` chose for the admin, or "" when they left it to the browser.

        Read through the user's relation, so a user loaded with
        ``select_related("admin_preferences")`` (as the signed-in user is,
        stories/admin/language.py) costs no query.
        """
        try:
            return user.admin_preferences.language
        except cls.DoesNotExist:
            return ""
