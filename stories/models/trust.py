"""
Who stands behind the archive: the About page's text and the policy on requests
for data (``ArchiveStatement``, one row, kept by administrators in both
languages), and the requests for data the archive has received
(``DataRequest``), of which readers see only counts per year and kind.

A fresh install has no statement row: ``ArchiveStatement.current()`` then
gives an unsaved one whose defaults say plainly that nobody has written the
page yet, so the About page is honest before anyone edits it.
"""

from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter

from django.db import models
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# The defaults a fresh install shows: true of any deployment that has not written its own.
DEFAULT_WHO_RUNS = (
    "This is a deployment of Perspectives, open-source software for an oral-history archive. "
    "Whoever runs it has not yet written who they are. Until they do, treat it as a sample, "
    "and do not send a story you would not want a stranger to hold."
)
DEFAULT_WHO_RUNS_ES = (
    "Este sitio usa Perspectives, un programa de código abierto para un archivo de historia "
    "oral. Quien lo administra todavía no ha escrito quién es. Hasta que lo haga, tómelo como "
    "un sitio de ejemplo y no envíe una historia que no quiera dejar en manos de una persona "
    "desconocida."
)
DEFAULT_POLICY = """\
This is a sample policy. The institution that runs this archive must have its own lawyers \
review it before relying on it.

We ask for a court order. We do not hand over anything on a letter, an email or a phone \
call from police or immigration authorities alone.

We read every request closely. If it asks for more than it needs, or for people it should \
not, we challenge it in court.

We tell the narrator before we answer, if we still have a way to reach them, unless a court \
forbids us. If a court forbids us, we ask it to lift that order.

We hand over only what a court order names, and only what we still hold. Much of what \
narrators give us is erased on a schedule, so often we hold nothing.

We publish how many requests we received each year, from whom, and what happened to them."""
DEFAULT_POLICY_ES = """\
Esta es una política de ejemplo. La institución que administra este archivo debe pedir a \
sus abogados que la revisen antes de aplicarla.

Pedimos una orden judicial. No entregamos nada solo porque la policía o las autoridades de \
inmigración lo pidan por carta, correo o teléfono.

Leemos cada solicitud con cuidado. Si pide más de lo que necesita, o datos de personas que \
no debería, la impugnamos ante un tribunal.

Avisamos a quien narra antes de responder, si todavía tenemos cómo comunicarnos con esa \
persona, salvo que un tribunal lo prohíba. Si un tribunal lo prohíbe, le pedimos que levante \
esa orden.

Entregamos solo lo que la orden judicial especifica, y solo lo que todavía guardamos. Mucho de \
lo que nos dan quienes narran se borra en plazos fijos, así que a menudo no guardamos nada.

Publicamos cuántas solicitudes recibimos cada año, de quién y qué pasó con ellas."""


@dataclass(frozen=True)
class Localized:
    """A text in the reader's language, or in English when nobody wrote it in theirs."""

    text: str
    language: str

    def __str__(self):
        return self.text


class LocalText:
    """``statement.who_runs_local``: the field's Spanish twin on the Spanish site, when written."""

    def __init__(self, field):
        self.field = field

    def __get__(self, instance, owner):
        if instance is None:
            return self
        spanish = getattr(instance, f"{self.field}_es")
        if get_language() == "es" and spanish.strip():
            return Localized(spanish, "es")
        return Localized(getattr(instance, self.field), "en")


class ArchiveStatement(models.Model):
    """What the archive says about itself: one row, written by administrators.

    Plain text only (shown with line breaks, never as HTML), in English and
    Spanish; a Spanish field left empty shows the English one.
    """

    SINGLETON = 1

    who_runs = models.TextField(
        _("who runs this archive"),
        default=DEFAULT_WHO_RUNS,
        help_text=_("Plain text. An empty line starts a new paragraph."),
    )
    who_runs_es = models.TextField(
        _("who runs this archive, in Spanish"), blank=True, default=DEFAULT_WHO_RUNS_ES
    )
    contact_email = models.EmailField(
        _("contact email"),
        blank=True,
        help_text=_("Shown to every reader as a link. Leave empty to show none."),
    )
    contact = models.TextField(
        _("how to contact us"),
        blank=True,
        help_text=_("Other ways to reach the archive: post, phone, office hours."),
    )
    contact_es = models.TextField(_("how to contact us, in Spanish"), blank=True)
    press = models.TextField(_("for the press"), blank=True)
    press_es = models.TextField(_("for the press, in Spanish"), blank=True)
    funders = models.TextField(_("who pays for it"), blank=True)
    funders_es = models.TextField(_("who pays for it, in Spanish"), blank=True)
    requests_policy = models.TextField(
        _("how we answer requests for data"),
        default=DEFAULT_POLICY,
        help_text=_("The policy readers see on the requests page. Have counsel review it."),
    )
    requests_policy_es = models.TextField(
        _("how we answer requests for data, in Spanish"), blank=True, default=DEFAULT_POLICY_ES
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    who_runs_local = LocalText("who_runs")
    contact_local = LocalText("contact")
    press_local = LocalText("press")
    funders_local = LocalText("funders")
    requests_policy_local = LocalText("requests_policy")

    class Meta:
        verbose_name = _("about the archive")
        verbose_name_plural = _("about the archive")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="one_archive_statement"),
        ]

    def __str__(self):
        return str(_("About the archive"))

    def get_absolute_url(self):
        return reverse("stories:about")

    def save(self, *args, **kwargs):
        self.pk = self.SINGLETON
        super().save(*args, **kwargs)

    @classmethod
    def current(cls):
        """The statement as written, or, before anyone wrote it, the honest defaults (unsaved)."""
        return cls.objects.filter(pk=cls.SINGLETON).first() or cls(pk=cls.SINGLETON)


class DataRequestQuerySet(models.QuerySet):
    def counts(self):
        """Readers' view: ``[(year, [(requester label, outcome label, count), ...]), ...]``.

        Newest year first. One query; nothing but the year, the two kinds and
        a count leaves the database.
        """
        rows = (
            self.order_by()
            .annotate(year=ExtractYear("received_on"))
            .values_list("year", "requester", "outcome")
            .annotate(count=Count("pk"))
        )
        requesters = list(DataRequest.Requester)
        outcomes = list(DataRequest.Outcome)
        ordered = sorted(
            rows,
            key=lambda row: (-row[0], requesters.index(row[1]), outcomes.index(row[2])),
        )
        return [
            (
                year,
                [
                    (DataRequest.Requester(requester).label, DataRequest.Outcome(outcome).label, n)
                    for _year, requester, outcome, n in group
                ],
            )
            for year, group in groupby(ordered, key=itemgetter(0))
        ]


class DataRequest(models.Model):
    """A request for data the archive received: administrators record it; readers see counts."""

    class Requester(models.TextChoices):
        POLICE = "police", _("Police")
        IMMIGRATION = "immigration", _("Immigration authority")
        COURT = "court", _("Court")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Still being answered")
        REFUSED = "refused", _("Refused")
        CHALLENGED = "challenged", _("Challenged in court")
        NOTHING_HELD = "nothing_held", _("We held nothing asked for")
        HANDED_OVER = "handed_over", _("Data handed over")

    received_on = models.DateField(_("received on"))
    requester = models.CharField(_("from"), max_length=20, choices=Requester.choices)
    outcome = models.CharField(
        _("what happened"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING
    )
    notes = models.TextField(
        _("notes"),
        blank=True,
        help_text=_("For administrators only: never shown to readers."),
    )
    is_sample = models.BooleanField(
        _("fictional sample"),
        default=False,
        help_text=_("Part of the fictional sample archive; readers are told so."),
    )

    objects = DataRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("request for data")
        verbose_name_plural = _("requests for data")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(requester__in=["police", "immigration", "court", "other"]),
                name="data_request_requester_known",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    outcome__in=["pending", "refused", "challenged", "nothing_held", "handed_over"]
                ),
                name="data_request_outcome_known",
            ),
        ]

    def __str__(self):
        return f"{self.received_on:%Y-%m-%d} · {self.get_requester_display()}"

    def get_absolute_url(self):
        return reverse("stories:data-requests")
