/*
 * After django-otp-webauthn's script (otp_webauthn_register.js) has added a passkey, which
 * it only announces: on to the new recovery codes when the server made some (the account's
 * first second factor), else where the moderator was going. Both addresses come from the
 * page (data attributes), checked by the server.
 */
document.addEventListener("otp_webauthn.register_complete", function (event) {
  const section = document.querySelector("section.passkey[data-next]");
  const added = event.detail.response;
  window.location.assign(
    added.recovery_codes ? section.dataset.recoveryCodesUrl : section.dataset.next
  );
});
