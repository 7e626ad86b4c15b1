/*
 * Record a story in the browser (templates/stories/_recorder.html).
 *
 * Progressive: where the browser cannot record, the recorder stays hidden and the file field
 * does everything. A finished recording is put into that file field, so the form sends it as
 * an upload and the server checks it like any other (stories/recordings/).
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-recorder]");
  if (!box || !window.MediaRecorder || !navigator.mediaDevices ||
      !navigator.mediaDevices.getUserMedia || typeof DataTransfer === "undefined") {
    return;
  }
  var input = document.getElementById(box.getAttribute("data-file-input"));
  if (!input) {
    return;
  }

  // What the browser writes: WebM/Opus (Chrome, Firefox, Android) or MP4/AAC (Safari, iOS).
  var FORMATS = [
    { type: "audio/webm;codecs=opus", name: "recording.webm" },
    { type: "audio/webm", name: "recording.webm" },
    { type: "audio/mp4", name: "recording.m4a" },
    { type: "audio/ogg;codecs=opus", name: "recording.ogg" }
  ];
  var format = FORMATS.filter(function (f) { return MediaRecorder.isTypeSupported(f.type); })[0];
  if (!format) {
    return;
  }

  var maxSeconds = parseInt(box.getAttribute("data-max-seconds"), 10) || 1800;
  var buttons = {};
  ["record", "pause", "resume", "stop", "again"].forEach(function (action) {
    buttons[action] = box.querySelector('[data-action="' + action + '"]');
  });
  var clock = box.querySelector("[data-clock]");
  var level = box.querySelector("[data-level]");
  var playback = box.querySelector("[data-playback]");
  var status = box.querySelector("[data-status]");

  var recorder = null;
  var stream = null;
  var chunks = [];
  var recordedBefore = 0; // seconds, over the pauses
  var startedAt = 0;
  var ticking = null;
  var audio = null;
  var playbackUrl = null;
  var stoppedAtLimit = false;

  function say(key) {
    var message = box.querySelector('[data-message="' + key + '"]');
    status.textContent = message ? message.textContent : "";
  }

  function show(visible) {
    Object.keys(buttons).forEach(function (action) {
      buttons[action].hidden = visible.indexOf(action) === -1;
    });
  }

  function elapsed() {
    var running = recorder && recorder.state === "recording";
    return recordedBefore + (running ? (performance.now() - startedAt) / 1000 : 0);
  }

  function showClock() {
    var seconds = Math.floor(elapsed());
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    clock.textContent = minutes + ":" + (rest < 10 ? "0" : "") + rest;
    if (seconds >= maxSeconds && recorder && recorder.state !== "inactive") {
      stoppedAtLimit = true;
      recordedBefore = elapsed();
      recorder.stop();
    }
  }

  function listen() {
    // The level meter shows the narrator that the microphone hears them.
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) {
      return;
    }
    audio = new Context();
    var analyser = audio.createAnalyser();
    analyser.fftSize = 1024;
    audio.createMediaStreamSource(stream).connect(analyser);
    var samples = new Uint8Array(analyser.fftSize);
    (function measure() {
      if (!audio) {
        return;
      }
      analyser.getByteTimeDomainData(samples);
      var sum = 0;
      for (var i = 0; i < samples.length; i++) {
        var centred = (samples[i] - 128) / 128;
        sum += centred * centred;
      }
      level.value = recorder && recorder.state === "recording" ? Math.min(1, Math.sqrt(sum / samples.length) * 3) : 0;
      window.requestAnimationFrame(measure);
    })();
  }

  function release() {
    if (ticking) {
      window.clearInterval(ticking);
      ticking = null;
    }
    if (audio) {
      audio.close();
      audio = null;
    }
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    level.value = 0;
  }

  function keep(blob) {
    // The recording goes with the form as its file: one road to the server for every recording.
    var type = (blob.type || format.type).split(";")[0];
    var file = new File([blob], format.name, { type: type });
    var files = new DataTransfer();
    files.items.add(file);
    input.files = files.files;
    if (playbackUrl) {
      URL.revokeObjectURL(playbackUrl);
    }
    playbackUrl = URL.createObjectURL(blob);
    playback.src = playbackUrl;
    playback.hidden = false;
  }

  function start() {
    say("");
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (granted) {
      stream = granted;
      chunks = [];
      recordedBefore = 0;
      stoppedAtLimit = false;
      recorder = new MediaRecorder(stream, { mimeType: format.type });
      recorder.ondataavailable = function (event) {
        if (event.data && event.data.size) {
          chunks.push(event.data);
        }
      };
      recorder.onstop = function () {
        release();
        if (chunks.length) {
          keep(new Blob(chunks, { type: recorder.mimeType || format.type }));
        }
        showClock();
        show(["again"]);
        say(stoppedAtLimit ? "limit" : chunks.length ? "ready" : "failed");
        buttons.again.focus();
      };
      recorder.onerror = function () {
        say("failed");
      };
      recorder.start(1000);
      startedAt = performance.now();
      ticking = window.setInterval(showClock, 250);
      listen();
      show(["pause", "stop"]);
      say("recording");
      buttons.stop.focus();
    }).catch(function (error) {
      release();
      var missing = error && (error.name === "NotFoundError" || error.name === "OverconstrainedError");
      say(missing ? "no-microphone" : "denied");
      show(["record"]);
    });
  }

  buttons.record.addEventListener("click", start);
  buttons.again.addEventListener("click", function () {
    input.value = "";
    playback.hidden = true;
    playback.removeAttribute("src");
    clock.textContent = "0:00";
    start();
  });
  buttons.pause.addEventListener("click", function () {
    recordedBefore = elapsed();
    recorder.pause();
    show(["resume", "stop"]);
    say("paused");
    buttons.resume.focus();
  });
  buttons.resume.addEventListener("click", function () {
    startedAt = performance.now();
    recorder.resume();
    show(["pause", "stop"]);
    say("recording");
    buttons.pause.focus();
  });
  buttons.stop.addEventListener("click", function () {
    if (recorder.state === "recording") {
      recordedBefore = elapsed();
    }
    recorder.stop();
  });

  box.hidden = false;
})();
