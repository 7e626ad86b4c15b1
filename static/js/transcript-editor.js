// The transcript editor's buttons beside the player (templates/admin/stories/story/transcript.html),
// and the index editor's (index.html): each row (a paragraph, a segment) is a
// .transcript-paragraph whose first text field is its start.
//
// - Stamp gives a paragraph the player's current time; -1 s and +1 s nudge its time.
// - Play from here plays the recording from a paragraph's time.
// - Alt+S in a paragraph stamps it and moves to the next one; Alt+P plays or pauses.
// A polite status says what a stamp or a nudge did. Without this script the same form
// takes the times typed in, and the server checks them either way (stories/admin/workspace.py).
(function () {
  "use strict";

  var form = document.querySelector(".transcript-form");
  var player = document.getElementById("transcript-player");
  if (!form || !player) {
    return;
  }
  var status = document.querySelector(".transcript-status");
  var paragraphs = Array.prototype.slice.call(form.querySelectorAll(".transcript-paragraph"));

  function clock(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var rest = ("0" + (seconds % 60)).slice(-2);
    return hours ? hours + ":" + ("0" + minutes).slice(-2) + ":" + rest : minutes + ":" + rest;
  }

  // The seconds a typed time says ("1:05", "1:02:03"), or null.
  function seconds(text) {
    var match = /^\s*(?:(\d+):)?(\d+):(\d{2})\s*$/.exec(text);
    if (!match) {
      return null;
    }
    return (parseInt(match[1] || "0", 10) * 60 + parseInt(match[2], 10)) * 60 + parseInt(match[3], 10);
  }

  function timeField(paragraph) {
    return paragraph.querySelector("input[type=text]");
  }

  function setTime(paragraph, at) {
    var field = timeField(paragraph);
    field.value = clock(at);
    status.textContent = form.dataset.stamped
      .replace("%(number)s", paragraphs.indexOf(paragraph) + 1)
      .replace("%(time)s", field.value);
  }

  function stamp(paragraph) {
    setTime(paragraph, player.currentTime);
  }

  function nudge(paragraph, by) {
    var at = seconds(timeField(paragraph).value);
    setTime(paragraph, (at === null ? Math.floor(player.currentTime) : at) + by);
  }

  function playFrom(paragraph) {
    var at = seconds(timeField(paragraph).value);
    if (at !== null) {
      player.currentTime = at;
    }
    player.play();
  }

  function next(paragraph) {
    var following = paragraphs[paragraphs.indexOf(paragraph) + 1];
    if (following) {
      // The row's first field after its time: a paragraph's words, a segment's title.
      following.querySelectorAll("input[type=text], textarea")[1].focus();
    }
  }

  paragraphs.forEach(function (paragraph) {
    paragraph.querySelector(".transcript-buttons").hidden = false;
    paragraph.querySelector("[data-stamp]").addEventListener("click", function () {
      stamp(paragraph);
    });
    Array.prototype.forEach.call(paragraph.querySelectorAll("[data-nudge]"), function (button) {
      button.addEventListener("click", function () {
        nudge(paragraph, parseInt(button.dataset.nudge, 10));
      });
    });
    paragraph.querySelector("[data-play]").addEventListener("click", function () {
      playFrom(paragraph);
    });
  });
  document.querySelector(".transcript-keys").hidden = false;

  // event.code, not event.key: Alt+S types "ß" on a Mac keyboard.
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var paragraph = document.activeElement && document.activeElement.closest(".transcript-paragraph");
    if (event.code === "KeyS" && paragraph) {
      event.preventDefault();
      stamp(paragraph);
      next(paragraph);
    } else if (event.code === "KeyP") {
      event.preventDefault();
      if (player.paused) {
        player.play();
      } else {
        player.pause();
      }
    }
  });
})();
