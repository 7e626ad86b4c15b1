/*
 * Record a story in the browser (templates/stories/_recorder.html), and send the recording ahead.
 *
 * Progressive: where the browser cannot record, the recorder stays hidden and the file field
 * does everything. A finished recording is put into that file field, so the form sends it as
 * an upload and the server checks it like any other (stories/recordings/).
 *
 * A recording made here, or a file picked, is also sent at once in the background to
 * share/recording/ (stories/pages/recording_upload.py), which holds it for this form. On a phone
 * a connection can drop before the story is sent: the upload is tried again, and until it
 * arrives the recording stays in the file field, so a story sent first still carries it.
 * Once it arrives the field is emptied, and the form finds the recording held on the server.
 */
(function () {
  "use strict";

  var uploader = sendingAhead();

  function sendingAhead() {
    var box = document.querySelector("[data-recording-upload]");
    if (!box || !window.FormData || !window.XMLHttpRequest || !window.CustomEvent) {
      return null;
    }
    var input = document.getElementById(box.getAttribute("data-file-input"));
    var form = input && input.form;
    if (!form || !form.elements.submission_id || !form.elements.csrfmiddlewaretoken) {
      return null;
    }
    var status = box.querySelector("[data-upload-status]");
    // Seconds before each new try; then every 30 seconds while the page is open.
    var DELAYS = [2, 5, 10, 20, 30];
    var file = null; // what is still to be sent
    var recorded = false; // whether it was recorded here (or picked, and named by its file name)
    var request = null;
    var timer = null;
    var tries = 0;

    function message(key, values) {
      var item = box.querySelector('[data-message="' + key + '"]');
      var text = item ? item.textContent : "";
      Object.keys(values || {}).forEach(function (name) {
        text = text.replace("{" + name + "}", values[name]);
      });
      return text;
    }

    function say(text) {
      status.textContent = text;
    }

    function error(xhr) {
      try {
        return JSON.parse(xhr.responseText).error || "";
      } catch (ignored) {
        return "";
      }
    }

    function quiet() {
      if (timer) {
        window.clearTimeout(timer);
        timer = null;
      }
      if (request) {
        var abandoned = request;
        request = null;
        abandoned.abort();
      }
    }

    function described(length) {
      // The file picker (file-picker.js) names what the field holds, or held.
      input.dispatchEvent(new CustomEvent("recording-kept", { detail: { length: length } }));
    }

    function later(text) {
      var delay = DELAYS[Math.min(tries, DELAYS.length - 1)];
      tries += 1;
      say(text || message("retrying"));
      timer = window.setTimeout(send, delay * 1000);
    }

    function answered(xhr) {
      var code = xhr.status;
      if (code === 0 || code >= 500) {
        later(code === 503 ? error(xhr) : ""); // the archive full says so; then try again
        return;
      }
      file = null;
      if (code === 200) {
        var length = "";
        try {
          length = JSON.parse(xhr.responseText).length || "";
        } catch (ignored) { /* saved all the same */ }
        input.value = ""; // held on the server now: the form need not send it again
        if (recorded) {
          described(length);
        }
        say(message("saved", { length: length }));
      } else if (code === 400) {
        // Refused (not a recording, too long, too big): sending it with the form changes nothing.
        input.value = "";
        described("");
        say(error(xhr) || message("refused"));
      } else {
        // Over a limit (429), or refused for another reason: the form still sends it.
        say(error(xhr) || message("kept"));
      }
    }

    function send() {
      timer = null;
      if (!file || request) {
        return;
      }
      var data = new FormData();
      data.append("recording", file, file.name);
      data.append("submission_id", form.elements.submission_id.value);
      var xhr = new XMLHttpRequest();
      request = xhr;
      xhr.open("POST", box.getAttribute("data-url"));
      xhr.setRequestHeader("X-CSRFToken", form.elements.csrfmiddlewaretoken.value);
      xhr.setRequestHeader("Accept", "application/json");
      var shown = -1;
      xhr.upload.addEventListener("progress", function (event) {
        if (request !== xhr || !event.lengthComputable) {
          return;
        }
        // In steps of five: a status is read aloud, and a stream of numbers would drown it.
        var percent = Math.floor((event.loaded / event.total) * 20) * 5;
        if (percent !== shown) {
          shown = percent;
          say(message("saving", { percent: percent }));
        }
      });
      xhr.addEventListener("loadend", function () {
        if (request === xhr) {
          request = null;
          answered(xhr);
        }
      });
      say(message("saving", { percent: 0 }));
      xhr.send(data);
    }

    window.addEventListener("online", function () {
      if (file && timer) {
        window.clearTimeout(timer);
        send();
      }
    });
    input.addEventListener("change", function () {
      // A file picked by the narrator (the recorder fills the field without a "change").
      if (input.files && input.files[0]) {
        upload(input.files[0]);
      } else {
        cancel();
      }
    });
    form.addEventListener("submit", function () {
      // The recording not yet sent ahead is in the field: it goes with the form, once.
      quiet();
    });

    function upload(chosen, madeHere) {
      quiet();
      file = chosen;
      recorded = Boolean(madeHere);
      tries = 0;
      send();
    }

    function cancel() {
      quiet();
      file = null;
      say("");
    }

    return { upload: upload, cancel: cancel };
  }

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
    input.dispatchEvent(new CustomEvent("recording-kept", { detail: { length: clock.textContent } }));
    if (uploader) {
      uploader.upload(file, true);
    }
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
        showClock();
        if (chunks.length) {
          keep(new Blob(chunks, { type: recorder.mimeType || format.type }));
        }
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
    input.dispatchEvent(new CustomEvent("recording-kept", { detail: { length: "" } }));
    if (uploader) {
      uploader.cancel();
    }
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
