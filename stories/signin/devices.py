"""A staff account's authenticator, passkeys and recovery codes, as django-otp keeps them."""

from base64 import b32encode

from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

RECOVERY_CODE_COUNT = 10


def pending_authenticator(user):
    """The key being set up: the same one on every visit until a code confirms it."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return pending or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def typed_key(device):
    """The key as an authenticator app takes it typed: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalized(code):
    """Spaces and case are how people copy codes, not part of them."""
    return "".join(code.split()).lower()


@transaction.atomic
def confirm_authenticator(device, code):
    """The recovery codes, if ``code`` is the pending key's current one; else None.

    A confirmed key replaces the account's earlier authenticator and recovery
    codes: setting up a new phone is how a lost one stops working.
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(normalized(code)):
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_recovery_codes(device.user)


def new_recovery_codes(user):
    """Fresh recovery codes for ``user``, in place of any earlier ones."""
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name="recovery codes")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    return codes


def has_recovery_codes(user):
    return StaticDevice.objects.filter(user=user).exists()


def device_accepting(user, code):
    """The confirmed device (authenticator or recovery codes) that takes ``code``, or None.

    Each device is checked under its own row lock, and django-otp makes each wait
    longer after every wrong code, so guesses cannot race one another.
    """
    code = normalized(code)
    # Six digits are the authenticator's; anything else can only be a recovery code. A
    # recovery code tried on the authenticator would count as a wrong code there, and slow
    # down the next real one.
    authenticator_code = code.isdigit() and len(code) == 6
    for device in devices_for_user(user):
        # A passkey takes no typed code (passkeys.py checks it).
        if is_passkey(device) or is_recovery_code(device) == authenticator_code:
            continue
        with transaction.atomic():
            locked = type(device).objects.select_for_update().get(pk=device.pk)
            if locked.verify_token(code):
                return locked
    return None


def is_recovery_code(device):
    return isinstance(device, StaticDevice)


def is_passkey(device):
    return isinstance(device, WebAuthnCredential)


def recovery_codes_left(device):
    return device.token_set.count()


def has_authenticator(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_passkey(user):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
