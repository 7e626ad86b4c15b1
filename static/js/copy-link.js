// The thank-you page's Copy button: puts the private link on the clipboard.
// Without this script the button stays hidden and the link is plain,
// selectable text; with it, one tap copies it and the page says so.
(function () {
  "use strict";

  function copyWithSelection(text) {
    // For browsers without the asynchronous clipboard (or outside HTTPS).
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.className = "offscreen";
    document.body.appendChild(field);
    field.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    document.body.removeChild(field);
    return copied;
  }

  function setUp(button) {
    var link = document.getElementById(button.getAttribute("data-copy"));
    var status = document.querySelector(".copy-status");
    if (!link || !status) {
      return;
    }
    var text = link.textContent.trim();
    function say(message) {
      status.textContent = message;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { say(button.getAttribute("data-copied")); },
          function () {
            say(button.getAttribute(copyWithSelection(text) ? "data-copied" : "data-failed"));
          }
        );
      } else {
        say(button.getAttribute(copyWithSelection(text) ? "data-copied" : "data-failed"));
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), setUp);
})();
