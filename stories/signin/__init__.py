"""
Who can sign in to the admin: the second factor, and the door that asks for it.

- ``devices``: enrolling an authenticator and the recovery codes that come with it;
- ``passkeys``: django-otp-webauthn's endpoints for adding and using a passkey, for staff;
- ``middleware``: before any admin page, enrolment or a code when they are due, and the
  end of a staff session left idle;
- ``views`` and ``forms``: the enrolment, the code and the recovery codes' pages;
- ``receivers``: Django's sign-in signals, written into the sign-in records.

The codes come from django-otp (TOTP, RFC 6238, and its static tokens as recovery
codes), passkeys from django-otp-webauthn (py_webauthn): no cryptography of our own.
docs/moderation.md ("Signing in") says how it works.
"""
