"""
The admin in the moderator's language (docs/moderation.md, "The admin's language").

The admin lives outside the public site's language prefixes (archive/urls.py), where
LocaleMiddleware gives every page the default language, English. Below it,
``AdminLanguageMiddleware`` chooses for admin addresses alone: the language the moderator
chose (``AdminPreferences``), else the one their browser asks for, else English. It sets no
cookie and reads nothing on public pages, so their language stays their address's and the
kept pages stay the same for everyone.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import AdminPreferences
from ..models.preferences import language_choices


def admin_language(request):
    """The language the admin speaks to this request: the moderator's choice, else the
    browser's (Accept-Language, among the archive's languages), else English."""
    user = request.user
    chosen = AdminPreferences.language_of(user) if user.is_authenticated else ""
    return chosen or translation.get_language_from_request(request)


class AdminLanguageMiddleware:
    """Activates the admin's language on admin addresses; public pages pass through untouched.

    It stands after AuthenticationMiddleware (it reads the moderator's choice) and after
    LocaleMiddleware, which would otherwise have set English; LocaleMiddleware still
    answers with the Content-Language of the language active, and Vary: Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(reverse("admin:index")):
            language = admin_language(request)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


def local_name(curated):
    """A perspective's or theme's name in the admin's language: the Spanish one a moderator
    wrote, else the English one (``BilingualNameMixin``)."""
    return curated.local_name


class LocalNameListFilter(admin.RelatedFieldListFilter):
    """The list's filter by perspective or by theme, each named in the admin's language."""

    def field_choices(self, field, request, model_admin):
        curated = field.related_model._default_manager.all()
        if ordering := self.field_admin_ordering(field, request, model_admin):
            curated = curated.order_by(*ordering)
        return [(each.pk, local_name(each)) for each in curated]


def _times_note():
    zone = settings.TIME_ZONE.rpartition("/")[2].replace("_", " ")
    return gettext("Times are %(zone)s time.") % {"zone": zone}


# Said once where times are typed in: the admin shows and reads every time in the
# archive's time zone, whatever the moderator's computer says (its server-time notes
# are hidden, static/css/admin.css).
TIMES_NOTE = lazy(_times_note, str)()


class LanguageForm(forms.ModelForm):
    class Meta:
        model = AdminPreferences
        fields = ("language",)
        widgets = {"language": forms.RadioSelect}
        labels = {"language": _("Language")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["language"]
        field.choices = [("", _("The language of my browser")), *language_choices()]
        field.help_text = _("English when your browser asks for neither English nor Spanish.")


def choose_language(request):
    """The moderator's own language for the admin: theirs to set, whatever their permissions."""
    preferences = AdminPreferences.objects.filter(user=request.user).first()
    form = LanguageForm(request.POST or None, instance=preferences)
    if form.is_valid():
        form.instance.user = request.user
        request.user.admin_preferences = form.save()
        translation.activate(admin_language(request))
        messages.success(request, gettext("The admin now speaks the language you chose."))
        return redirect(reverse("admin:index"))
    context = {
        **admin.site.each_context(request),
        "title": _("Language of the admin"),
        "form": form,
    }
    return TemplateResponse(request, "admin/language.html", context)


class AdminPreferencesInline(admin.StackedInline):
    """The language on a user's page, for administrators setting up a moderator."""

    model = AdminPreferences
    fields = ("language",)
    can_delete = False
    verbose_name_plural = _("Admin preferences")


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserWithPreferencesAdmin(UserAdmin):
    inlines = (*UserAdmin.inlines, AdminPreferencesInline)
