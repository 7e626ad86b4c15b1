/*
 * The recording field's file picker, in the page's language (templates/stories/widgets/recording_file.html).
 *
 * A browser labels its own file input ("Choose File", "No file chosen") in the browser's
 * language, whatever the page's. Here the native input stays where it is, focusable and
 * operable (it is what the keyboard focuses, and what a click or tap on the button reaches),
 * but transparent over a button of our own; the line beside it names the file chosen, or the
 * recording the recorder (recorder.js) put in it. Without JavaScript, the native input shows.
 */
(function () {
  "use strict";

  Array.prototype.forEach.call(document.querySelectorAll("[data-file-picker]"), function (picker) {
    if (picker.classList.contains("file-picker-enhanced")) {
      return; // the field twice on a page loads this script twice
    }
    var input = picker.querySelector('input[type="file"]');
    var button = picker.querySelector("[data-file-picker-button]");
    var chosen = picker.querySelector("[data-file-picker-chosen]");
    if (!input || !button || !chosen) {
      return;
    }

    function describe() {
      var file = input.files && input.files[0];
      chosen.textContent = file ? file.name : chosen.getAttribute("data-none");
    }

    input.addEventListener("change", describe);
    // It looks like a button, so Enter opens it as Space does (Chromium opens a file input on Space only).
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        input.click();
      }
    });
    // The recorder fills (or empties) the input itself, which fires no "change".
    input.addEventListener("recording-kept", function (event) {
      var length = event.detail && event.detail.length;
      chosen.textContent = length ?
        chosen.getAttribute("data-recorded").replace("{length}", length) :
        chosen.getAttribute("data-none");
    });

    // A screen reader hears what was chosen in the page's language too, after the field's help.
    var described = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    described.push(chosen.id);
    input.setAttribute("aria-describedby", described.join(" "));

    describe(); // a file the browser kept through a reload or the back button
    button.hidden = false;
    chosen.hidden = false;
    picker.classList.add("file-picker-enhanced");
  });
})();
