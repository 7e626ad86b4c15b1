"""The second factor's pages, inside the admin's look: enrolment, its key, the code, the
recovery codes. None is ever cached, and each answers only the signed-in staff member."""

import io

import segno
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django_otp import login as verified_with
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..models import SignInRecord
from . import devices
from .forms import CodeForm, ConfirmationCodeForm

RECOVERY_CODES_SESSION_KEY = "two_factor_recovery_codes"


def next_page(request):
    """Where the staff member was going, if it is on this site; else the admin's index."""
    wanted = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("admin:index")


def with_next(url_name, next_url):
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def page(request, template, title, **context):
    return render(
        request,
        template,
        {**admin.site.each_context(request), "title": title, "next": next_page(request), **context},
    )


@never_cache
@staff_member_required
def enrol(request):
    user = request.user
    replacing = user_has_device(user)
    if replacing and not user.is_verified():
        # A password alone must not be enough to swap the authenticator.
        return redirect(with_next("two-factor-verify", reverse("two-factor-enrol")))
    device = devices.pending_authenticator(user)
    form = ConfirmationCodeForm(request.POST or None)
    if form.is_valid():
        codes = devices.confirm_authenticator(device, form.cleaned_data["code"])
        if codes is None:
            SignInRecord.objects.note(SignInRecord.Kind.CODE_FAILED, request, user)
            form.add_error("code", _("That code is not the one the app shows now. Try again."))
        else:
            SignInRecord.objects.note(SignInRecord.Kind.ENROLLED, request, user)
            verified_with(request, device)
            request.session[RECOVERY_CODES_SESSION_KEY] = codes
            return redirect(with_next("two-factor-recovery-codes", next_page(request)))
    return page(
        request,
        "admin/signin/enrol.html",
        _("Set up two-factor sign-in"),
        form=form,
        key=devices.typed_key(device),
        replacing=replacing,
        recovery_codes_url=with_next("two-factor-recovery-codes", next_page(request)),
    )


@never_cache
@staff_member_required
def authenticator_key(request):
    """The key being set up, as a QR code for the app's camera (an SVG made here)."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        raise Http404
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        buffer, kind="svg", scale=5, border=4, xmldecl=False, title=_("QR code of the key")
    )
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@staff_member_required
def recovery_codes(request):
    """The recovery codes, once: the session holds them only until this page is shown."""
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    return page(request, "admin/signin/recovery_codes.html", _("Your recovery codes"), codes=codes)


@never_cache
@staff_member_required
def verify(request):
    user = request.user
    if user.is_verified():
        return redirect(next_page(request))
    if not user_has_device(user):
        return redirect(with_next("two-factor-enrol", next_page(request)))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device = devices.device_accepting(user, form.cleaned_data["code"])
        if device is None:
            SignInRecord.objects.note(SignInRecord.Kind.CODE_FAILED, request, user)
            form.add_error("code", _("That code was not accepted. Try the newest one."))
        else:
            verified_with(request, device)
            if devices.is_recovery_code(device):
                SignInRecord.objects.note(SignInRecord.Kind.RECOVERY_CODE_USED, request, user)
                left = devices.recovery_codes_left(device)
                messages.warning(
                    request,
                    ngettext(
                        "Recovery code used: %(left)d code left. If your phone is lost, "
                        "set up a new authenticator now.",
                        "Recovery code used: %(left)d codes left. If your phone is lost, "
                        "set up a new authenticator now.",
                        left,
                    )
                    % {"left": left},
                )
            else:
                SignInRecord.objects.note(SignInRecord.Kind.CODE_ACCEPTED, request, user)
            return redirect(next_page(request))
    return page(
        request,
        "admin/signin/verify.html",
        _("Enter your code"),
        form=form,
        has_authenticator=devices.has_authenticator(user),
        has_passkey=devices.has_passkey(user),
    )
