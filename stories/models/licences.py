"""
What readers may do with a story: the licences the archive offers, the one each
narrator chose with their consent, and the persistent identifier a story may be
given outside the project (an ARK or a DOI).

The archive configures its short list of licences in the admin; each has a rank
of restriction. A narrator chooses one when they consent, and may later move only
toward more restriction (``LicensedStory.restrict_licence``): a reader who copied
a story under the first terms keeps them, so the archive never widens what a
narrator granted.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext_lazy as _

LICENCE_RESTRICTED_NOTE = gettext_noop("Licence made more restrictive")


class LicenceQuerySet(models.QuerySet):
    def offered(self):
        """The licences a narrator may choose, the most open first."""
        return self.filter(offered=True).order_by("restriction", "pk")

    def default(self):
        """The one the share form selects first: the archive's default, or the most open."""
        offered = self.offered()
        return offered.filter(is_default=True).first() or offered.first()

    def most_restrictive(self):
        """What a story without a narrator's choice is held under (one made before the choice
        existed, or by a road that asked none): nothing is granted that was not asked."""
        return self.order_by("-restriction", "-pk").first()

    def more_restrictive_than(self, licence):
        return self.offered().filter(restriction__gt=licence.restriction)

    def get_by_natural_key(self, code):
        return self.get(code=code)


class Licence(models.Model):
    """One set of terms a reader may reuse a story under, in both languages."""

    # A slug with dots, as licence versions are written ("cc-by-nc-nd-4.0").
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$",
                _("Use lowercase letters, digits, hyphens and dots, for example cc-by-4.0."),
            )
        ],
        help_text=_("For example cc-by-nc-nd-4.0."),
    )
    name = models.CharField(_("name"), max_length=120)
    name_es = models.CharField(_("name in Spanish"), max_length=120, blank=True)
    short_name = models.CharField(
        _("short name"), max_length=40, help_text=_("For example CC BY-NC-ND 4.0.")
    )
    short_name_es = models.CharField(_("short name in Spanish"), max_length=40, blank=True)
    # In plain words, what a reader may and may not do: shown beside every story under it.
    summary = models.TextField(_("what readers may do"))
    summary_es = models.TextField(_("what readers may do, in Spanish"), blank=True)
    # A Creative Commons licence or a RightsStatements.org statement: the only kinds IIIF's
    # `rights` accepts, and what rel="license", dc:rights and Schema.org's `license` point to.
    url = models.URLField(_("address of the licence or rights statement"), unique=True)
    restriction = models.PositiveSmallIntegerField(
        _("restriction"),
        unique=True,
        help_text=_(
            "The higher, the less a reader may do. A narrator may change their choice only "
            "to a licence ranked higher."
        ),
    )
    # Whether its terms let a reader republish a story without asking the archive first.
    allows_republishing = models.BooleanField(_("allows republishing without asking"))
    offered = models.BooleanField(
        _("offered to narrators"), default=True, help_text=_("Shown on the share form.")
    )
    is_default = models.BooleanField(
        _("selected first on the share form"),
        default=False,
        help_text=_("Only one licence is selected first."),
    )

    objects = LicenceQuerySet.as_manager()

    class Meta:
        ordering = ["restriction", "pk"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_licence",
            ),
        ]

    def __str__(self):
        return self.short_name

    def natural_key(self):
        return (self.code,)

    def _in(self, field, language):
        """``field`` in ``language``: the Spanish one where it is written, English otherwise."""
        return (language == "es" and getattr(self, f"{field}_es")) or getattr(self, field)

    def name_in(self, language):
        return self._in("name", language)

    def short_name_in(self, language):
        return self._in("short_name", language)

    def summary_in(self, language):
        return self._in("summary", language)

    @property
    def local_name(self):
        return self.name_in(get_language())

    @property
    def local_short_name(self):
        return self.short_name_in(get_language())

    @property
    def local_summary(self):
        return self.summary_in(get_language())

    @property
    def is_creative_commons(self):
        return self.url.startswith(("https://creativecommons.org/", "http://creativecommons.org/"))


class LicensedStory:
    """Story's part of this module: the narrator's licence, which only ever narrows."""

    def ensure_licence(self):
        """A story saved without a choice is held under the most restrictive terms."""
        if self.licence_id is None:
            self.licence = Licence.objects.most_restrictive()

    @property
    def persistent_url(self):
        """Where the story's persistent identifier resolves, or "" without one."""
        return identifier_url(self.persistent_identifier)

    def may_restrict_licence_to(self, licence):
        return licence.offered and licence.restriction > self.licence.restriction

    def restrict_licence(self, licence, *, by=None):
        """The narrator's licence changed to ``licence``, which must be more restrictive.

        ``by`` is None for the narrator (from their private page), or the moderator who acted
        on their request. Returns whether anything changed; raises ValueError for a licence
        that would let readers do more.
        """
        with self.locked() as story:
            if story.licence_id == licence.pk:
                return False
            if not story.may_restrict_licence_to(licence):
                raise ValueError("a narrator's licence only becomes more restrictive")
            story.licence = licence
            story.save(update_fields=["licence", "updated_at"])
            story.record_event(LICENCE_RESTRICTED_NOTE, by=by)
        self.licence = licence
        return True


# --- Persistent identifiers, minted outside the project ---

ARK = re.compile(r"^(?:https?://[^/]+/)?(ark:/?\d{5,}/[\w.~/=+*@$-]+)$", re.IGNORECASE)
DOI = re.compile(
    r"^(?:doi:|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/[-.;()/:\w]+)$", re.IGNORECASE
)


def normalise_identifier(value):
    """``value`` as the archive keeps it: ``ark:/NAAN/name`` or ``doi:10.prefix/suffix``.

    Accepts the identifier as it is usually pasted (with a resolver's address in front, or
    ``ark:`` without the slash); raises ValidationError for anything else.
    """
    value = value.strip()
    if not value:
        return ""
    if match := ARK.match(value):
        ark = match.group(1)
        return "ark:/" + ark[4:].lstrip("/") if ark[:4].lower() == "ark:" else ark
    if match := DOI.match(value):
        return "doi:" + match.group(1)
    raise ValidationError(
        _("Enter an ARK (ark:/12345/x6b9) or a DOI (10.1234/abc or https://doi.org/10.1234/abc)."),
        code="invalid_identifier",
    )


def identifier_url(identifier):
    """The address that resolves ``identifier`` (N2T for an ARK, doi.org for a DOI)."""
    if identifier.startswith("ark:/"):
        return "https://n2t.net/" + identifier
    if identifier.startswith("doi:"):
        return "https://doi.org/" + identifier[4:]
    return ""
