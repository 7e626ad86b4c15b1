// Listening that follows the voice, on a story page with a recording.
//
// - The paragraph being heard is highlighted; selecting a paragraph plays from there.
// - The transcript follows the voice: the paragraph heard is scrolled into view (the page
//   scrolls, never a box inside it). Scrolling away stops following; a toggle (aria-pressed)
//   resumes it, and a polite status says which.
// - Once the player has scrolled off screen, a mini-player at the bottom of the window
//   controls the same <audio>: play or pause, the time, 15 seconds back or forward, speed.
// - Find in the transcript marks the matches (<mark>) and steps through them.
// - Where the written story is the transcript, Listen and Read become two tabs; so do the
//   archive's translation of the text and the original.
// - A transcript shown in the archive's translation folds the originals away; a toggle
//   brings them back.
// - The recording's index: selecting a segment's time plays from there, the segment being
//   heard is marked, and an address ending in #t=49.5 plays from that moment. On a phone the
//   index starts folded under the player.
// Without this script the page has the player, the transcript with its times as links into
// the recording, and both views one after the other (docs/listening.md).
(function () {
  "use strict";

  var SPEEDS = [1, 1.25, 1.5, 0.75];
  var SKIP_SECONDS = 15;
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var language = document.documentElement.lang || "en";

  function all(root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  }

  function clock(seconds) {
    if (!isFinite(seconds) || seconds < 0) {
      seconds = 0;
    }
    seconds = Math.floor(seconds);
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var rest = ("0" + (seconds % 60)).slice(-2);
    return hours ? hours + ":" + ("0" + minutes).slice(-2) + ":" + rest : minutes + ":" + rest;
  }

  function bring(element) {
    element.scrollIntoView({ block: "center", behavior: reduceMotion ? "auto" : "smooth" });
  }

  function inView(element) {
    var box = element.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight && box.height > 0;
  }

  function play(audio) {
    var playing = audio.play();
    if (playing && playing.catch) {
      playing.catch(function () {}); // a browser that refuses to play still moved the player
    }
  }

  // --- The transcript: highlight, select to play, follow the voice ---

  // Of ``items`` (paragraphs or segments, each from its start to the next one's), the one
  // being heard, or null before the first.
  function heardOf(items, starts, audio) {
    var heard = null;
    for (var i = 0; i < starts.length && starts[i] <= audio.currentTime + 0.05; i++) {
      heard = items[i];
    }
    return heard;
  }

  function markCurrent(previous, heard) {
    if (previous) {
      previous.classList.remove("current");
      previous.removeAttribute("aria-current");
    }
    if (heard) {
      heard.classList.add("current");
      heard.setAttribute("aria-current", "true");
    }
  }

  function transcriptOf(section, audio) {
    var list = section.querySelector("[data-transcript-for]");
    if (!list) {
      return { highlight: function () {}, follow: function () {} };
    }
    var paragraphs = all(list, "[data-start]");
    var starts = paragraphs.map(function (paragraph) {
      return parseFloat(paragraph.getAttribute("data-start"));
    });
    var toggles = all(section, "[data-follow]");
    var status = section.querySelector("[data-follow-status]");
    var current = null;
    var following = true;
    var readerMovedAt = 0;

    // The page's own scrolling to the voice ends what the reader's last scroll began.
    function keepInView(paragraph) {
      readerMovedAt = 0;
      bring(paragraph);
    }

    function setFollowing(on, say) {
      say = say && on !== following;
      following = on;
      toggles.forEach(function (toggle) {
        toggle.setAttribute("aria-pressed", on ? "true" : "false");
      });
      if (say && status) {
        status.textContent = status.getAttribute(on ? "data-following" : "data-stopped");
      }
      if (on && current && !list.closest("[hidden]")) {
        keepInView(current);
      }
    }

    function highlight() {
      var heard = heardOf(paragraphs, starts, audio);
      if (heard === current) {
        return;
      }
      markCurrent(current, heard);
      if (heard && following && !audio.paused && !list.closest("[hidden]")) {
        keepInView(heard);
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
      play(audio);
    });
    audio.addEventListener("timeupdate", highlight);
    audio.addEventListener("seeked", highlight);

    toggles.forEach(function (toggle) {
      toggle.addEventListener("click", function () {
        setFollowing(!following, true);
      });
    });

    // Following stops when the reader scrolls the words being heard out of view (by wheel,
    // touch or keys); the page's own scrolling, which follows the voice, does not count.
    function readerMoves(event) {
      if (event.type === "keydown") {
        var keys = ["PageUp", "PageDown", "Home", "End", "ArrowUp", "ArrowDown", " "];
        var target = event.target;
        if (keys.indexOf(event.key) < 0 || target.closest("input, textarea, select, button, audio, [role=tab]")) {
          return;
        }
      }
      readerMovedAt = Date.now();
    }
    ["wheel", "touchmove", "keydown"].forEach(function (type) {
      window.addEventListener(type, readerMoves, { passive: true });
    });
    window.addEventListener("scroll", function () {
      if (following && current && Date.now() - readerMovedAt < 1000 && !inView(current)) {
        setFollowing(false, true);
      }
    }, { passive: true });

    return { highlight: highlight, follow: setFollowing };
  }

  // --- The recording's index (stories/_chapters.html) ---

  var MOMENT = /^#t=([0-9]+(?:\.[0-9]+)?)$/;

  function chaptersOf(section, audio) {
    var list = section.querySelector("[data-chapters]");
    if (!list) {
      return;
    }
    var segments = all(list, "[data-start]");
    var starts = segments.map(function (segment) {
      return parseFloat(segment.getAttribute("data-start"));
    });
    var current = null;

    function mark() {
      var heard = heardOf(segments, starts, audio);
      if (heard !== current) {
        markCurrent(current, heard);
        current = heard;
      }
    }

    list.addEventListener("click", function (event) {
      var time = event.target.closest(".chapter-time");
      if (!time || !list.contains(time)) {
        return;
      }
      event.preventDefault();
      audio.currentTime = parseFloat(time.closest("[data-start]").getAttribute("data-start"));
      mark();
      play(audio);
    });
    audio.addEventListener("timeupdate", mark);
    audio.addEventListener("seeked", mark);

    // On a phone the index starts folded, a line under the player, unless a link led to a moment.
    var index = section.querySelector("[data-recording-index]");
    if (index && !MOMENT.test(location.hash) && window.matchMedia("(max-width: 40rem)").matches) {
      index.open = false;
    }
  }

  // An address ending in #t=49.5 (a segment's link, or any moment) plays from there; a
  // browser that refuses to play without a gesture leaves the player ready at that time.
  function playFromAddress(audio, transcript) {
    function fromAddress() {
      var moment = MOMENT.exec(location.hash);
      if (!moment) {
        return;
      }
      var seconds = parseFloat(moment[1]);
      function start() {
        audio.currentTime = seconds;
        play(audio);
      }
      if (audio.readyState >= 1) {
        start();
      } else {
        audio.addEventListener("loadedmetadata", start, { once: true });
      }
      // A moment that is no segment's has nothing to land on: the player comes into view.
      // A segment's is what the reader came to read: the voice does not take them from it
      // to the transcript (following stays one press of "Follow the voice" away).
      if (document.getElementById(location.hash.slice(1))) {
        transcript.follow(false);
      } else {
        bring(audio);
      }
    }
    window.addEventListener("hashchange", fromAddress);
    fromAddress();
  }

  // --- The mini-player ---

  function miniPlayer(section, audio) {
    var mini = section.querySelector("[data-mini-player]");
    if (!mini || !("IntersectionObserver" in window)) {
      return;
    }
    // Out of the section, so that it stays when the Read view hides the player.
    document.body.appendChild(mini);
    var playButton = mini.querySelector("[data-play]");
    var time = mini.querySelector("[data-time]");
    var speedButton = mini.querySelector("[data-speed]");
    var started = false;
    var playerInView = true;

    function show() {
      var shown = started && !playerInView;
      mini.hidden = !shown;
      document.body.classList.toggle("has-mini-player", shown);
    }
    function showState() {
      playButton.textContent = playButton.getAttribute(audio.paused ? "data-play-label" : "data-pause-label");
      time.textContent = clock(audio.currentTime) + " / " + clock(audio.duration);
    }
    function showSpeed() {
      var rate = audio.playbackRate.toLocaleString(language);
      speedButton.textContent = speedButton.getAttribute("data-speed-label") + " " + rate + "×";
    }

    new IntersectionObserver(function (entries) {
      playerInView = entries[entries.length - 1].isIntersecting;
      show();
    }).observe(audio);
    audio.addEventListener("play", function () {
      started = true;
      show();
    });
    ["play", "pause", "timeupdate", "durationchange", "seeked"].forEach(function (type) {
      audio.addEventListener(type, showState);
    });
    audio.addEventListener("ratechange", showSpeed);

    playButton.addEventListener("click", function () {
      if (audio.paused) {
        play(audio);
      } else {
        audio.pause();
      }
    });
    all(mini, "[data-skip]").forEach(function (button) {
      button.addEventListener("click", function () {
        var to = audio.currentTime + parseFloat(button.getAttribute("data-skip"));
        audio.currentTime = Math.max(0, isFinite(audio.duration) ? Math.min(to, audio.duration) : to);
      });
    });
    speedButton.addEventListener("click", function () {
      var at = SPEEDS.indexOf(audio.playbackRate);
      audio.playbackRate = SPEEDS[(at + 1) % SPEEDS.length];
    });
    showState();
    showSpeed();
  }

  // --- Find in the transcript ---

  // Case and accents folded ("policia" finds "policía"), one folded character for each of the
  // text's, so that a match's place in the folded text is its place in the text.
  function fold(text) {
    var folded = "";
    for (var i = 0; i < text.length; i++) {
      var letter = text[i].normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
      folded += letter.length === 1 ? letter : text[i];
    }
    return folded;
  }

  function finder(section, transcript) {
    var form = section.querySelector("[data-find]");
    var list = section.querySelector("[data-transcript-for]");
    if (!form || !list) {
      return;
    }
    var field = form.querySelector("[data-find-words]");
    var count = form.querySelector("[data-find-count]");
    var marks = [];
    var at = -1;

    function clear() {
      marks.forEach(function (mark) {
        var parent = mark.parentNode;
        parent.replaceChild(document.createTextNode(mark.textContent), mark);
        parent.normalize();
      });
      marks = [];
      at = -1;
    }

    function markAll(words) {
      // Only the words on screen: an original folded away is not a match to step to.
      all(list, "li p").filter(shown).forEach(function (paragraph) {
        var walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
        var nodes = [];
        while (walker.nextNode()) {
          nodes.push(walker.currentNode);
        }
        nodes.forEach(function (node) {
          var folded = fold(node.data);
          var places = [];
          var from = folded.indexOf(words);
          while (from >= 0) {
            places.push(from);
            from = folded.indexOf(words, from + words.length);
          }
          var made = [];
          // From the last match back, so the places before it stay where they were.
          for (var i = places.length - 1; i >= 0; i--) {
            var after = node.splitText(places[i]);
            after.splitText(words.length);
            var mark = document.createElement("mark");
            mark.className = "find-match";
            after.parentNode.replaceChild(mark, after);
            mark.appendChild(after);
            made.unshift(mark);
          }
          marks = marks.concat(made);
        });
      });
    }

    function say() {
      count.textContent = marks.length
        ? count.getAttribute("data-one-of").replace("{at}", at + 1).replace("{count}", marks.length)
        : field.value.trim() ? count.getAttribute("data-none") : "";
    }

    function step(by) {
      if (!marks.length) {
        return;
      }
      if (at >= 0) {
        marks[at].classList.remove("find-current");
      }
      at = (at + by + marks.length) % marks.length;
      marks[at].classList.add("find-current");
      transcript.follow(false, true); // the reader went to the words: the voice would take them away
      bring(marks[at]);
      say();
    }

    function find() {
      clear();
      var words = fold(field.value.trim());
      if (words) {
        markAll(words);
      }
      if (marks.length) {
        step(1);
      } else {
        say();
      }
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      step(1);
    });
    form.querySelector("[data-find-step='-1']").addEventListener("click", function () {
      step(-1);
    });
    field.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.shiftKey) {
        event.preventDefault();
        step(-1);
      }
    });
    field.addEventListener("input", find);
  }

  // --- Listen and Read as two tabs ---

  function views(switcher) {
    var tabs = all(switcher, "[data-view-of]");
    var panels = tabs.map(function (tab) {
      return document.getElementById(tab.getAttribute("data-view-of"));
    });
    if (panels.indexOf(null) >= 0) {
      return;
    }
    switcher.setAttribute("role", "tablist");
    switcher.setAttribute("aria-label", switcher.getAttribute("data-tablist-label"));
    // The tabs name the views: their headings stay for screen readers only.
    panels.forEach(function (panel) {
      all(panel, ".view-heading").forEach(function (heading) {
        heading.classList.add("visually-hidden");
      });
    });
    var listenOrRead = panels.some(function (panel) { return panel.id === "read"; });
    tabs.forEach(function (tab, i) {
      tab.id = "view-tab-" + tab.getAttribute("data-view-of");
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", panels[i].id);
      panels[i].setAttribute("role", "tabpanel");
      panels[i].setAttribute("aria-labelledby", tab.id);
      panels[i].setAttribute("tabindex", "-1");
    });

    function choose(index, focus) {
      tabs.forEach(function (tab, i) {
        var chosen = i === index;
        tab.setAttribute("aria-selected", chosen ? "true" : "false");
        tab.setAttribute("tabindex", chosen ? "0" : "-1");
        panels[i].hidden = !chosen;
      });
      // Reading: the mini-player's Follow the voice has no transcript on screen to follow.
      if (listenOrRead) {
        document.body.classList.toggle("reading-view", panels[index].id === "read");
      }
      if (focus) {
        tabs[index].focus();
      }
    }

    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function (event) {
        event.preventDefault();
        choose(i, false);
      });
      tab.addEventListener("keydown", function (event) {
        var to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
        if (event.key === " ") {
          event.preventDefault();
          choose(i, false);
        } else if (to !== undefined) {
          event.preventDefault();
          choose((to + tabs.length) % tabs.length, true);
        }
      });
    });
    // "Listen: 4 min" under the title, or an address ending in #read (or #original, in the
    // Read view), opens the view holding what it names.
    function holding() {
      var named = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
      for (var i = 0; named && i < panels.length; i++) {
        if (panels[i].contains(named)) {
          return i;
        }
      }
      return -1;
    }
    function fromAddress() {
      var index = holding();
      if (index >= 0) {
        choose(index, false);
        panels[index].focus();
      }
    }
    window.addEventListener("hashchange", fromAddress);
    choose(Math.max(holding(), 0), false);
  }

  function shown(element) {
    return element.getClientRects().length > 0;
  }

  // --- The originals of a transcript shown in the archive's translation ---

  function originals(note) {
    var button = note.querySelector("[data-originals-toggle]");
    var said = note.querySelector("[data-originals-shown]");
    var list = note.parentNode.querySelector(".transcript");
    var find = note.parentNode.querySelector("[data-find-words]");
    if (!button || !list) {
      return;
    }
    function showOriginals(on) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      list.classList.toggle("originals-folded", !on);
      if (said) {
        said.hidden = !on;
      }
      // Find in the transcript looks again, among the words now on screen.
      if (find && find.value) {
        find.dispatchEvent(new Event("input"));
      }
    }
    button.addEventListener("click", function () {
      showOriginals(button.getAttribute("aria-pressed") !== "true");
    });
    button.hidden = false;
    showOriginals(false);
  }

  all(document, "[data-listen]").forEach(function (section) {
    var audio = section.querySelector("audio");
    if (!audio) {
      return;
    }
    var transcript = transcriptOf(section, audio);
    chaptersOf(section, audio);
    playFromAddress(audio, transcript);
    miniPlayer(section, audio);
    finder(section, transcript);
    var tools = section.querySelector("[data-transcript-tools]");
    if (tools) {
      tools.hidden = false;
    }
  });
  all(document, "[data-story-views]").forEach(views);
  all(document, "[data-originals-note]").forEach(originals);
})();
