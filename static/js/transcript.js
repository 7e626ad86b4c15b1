// Follows a recording through its transcript: the paragraph being heard is
// highlighted, and selecting a paragraph's time plays the recording from there.
// Without this script the page still has the player and the transcript, and
// each time links to the recording at that moment.
(function () {
  "use strict";

  function follow(list) {
    var audio = document.getElementById(list.getAttribute("data-transcript-for"));
    if (!audio) {
      return;
    }
    var paragraphs = Array.prototype.slice.call(list.querySelectorAll("[data-start]"));
    var starts = paragraphs.map(function (paragraph) {
      return parseFloat(paragraph.getAttribute("data-start"));
    });
    var current = null;

    function highlight() {
      var heard = null;
      for (var i = 0; i < starts.length && starts[i] <= audio.currentTime + 0.05; i++) {
        heard = paragraphs[i];
      }
      if (heard === current) {
        return;
      }
      if (current) {
        current.classList.remove("current");
        current.removeAttribute("aria-current");
      }
      if (heard) {
        heard.classList.add("current");
        heard.setAttribute("aria-current", "true");
      }
      current = heard;
    }

    list.addEventListener("click", function (event) {
      var paragraph = event.target.closest("[data-start]");
      if (!paragraph || !list.contains(paragraph)) {
        return;
      }
      // A reader selecting text to copy it is not asking to jump.
      if (String(window.getSelection()) && event.target.tagName !== "A") {
        return;
      }
      event.preventDefault();
      audio.currentTime = parseFloat(paragraph.getAttribute("data-start"));
      highlight();
      var playing = audio.play();
      if (playing && playing.catch) {
        playing.catch(function () {}); // a browser that refuses to play still moved the player
      }
    });
    audio.addEventListener("timeupdate", highlight);
    audio.addEventListener("seeked", highlight);
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-transcript-for]"), follow);
})();
