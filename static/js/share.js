// The steps of the share form, made easier with JavaScript; each works without it.
// - A character counter under a text with a minimum (the written story).
// - The "not before" date shown only once "Not before a date I choose" is picked.
// - A draft kept on this device, only if the narrator asks (a shared phone must not keep
//   a story by default), with a button that forgets it. The thank-you page forgets it too.
// Every message comes from the page, in its language (hidden <li data-message>).
(function () {
  "use strict";
  var STORE_KEY = "perspectives-share-draft";
  // Never kept on the device: secrets, one-time ids, the consent, files, actions.
  var NEVER_KEPT = ["csrfmiddlewaretoken", "submission_id", "consent", "consent_version",
    "website", "recording", "remove_recording"];

  function message(container, name) {
    var item = container.querySelector('[data-message="' + name + '"]');
    return item ? item.textContent : "";
  }

  // The thank-you page: the story is sent, so nothing of it stays on the device.
  if (document.querySelector("[data-forget-device-draft]")) {
    try {
      window.localStorage.removeItem(STORE_KEY);
    } catch (blocked) { /* storage refused: nothing was kept */ }
  }

  var form = document.getElementById("share-form");
  if (!form) {
    return;
  }

  // The counter: the visible line changes as one types; the screen reader hears it
  // only after a pause, not at every key.
  var counter = document.querySelector("[data-count-for]");
  if (counter) {
    var text = document.getElementById(counter.dataset.countFor);
    var spoken = document.createElement("p");
    spoken.className = "visually-hidden";
    spoken.setAttribute("role", "status");
    counter.after(spoken);
    counter.setAttribute("aria-hidden", "true");
    var minimum = parseInt(counter.dataset.min || "0", 10);
    var pause = null;
    var count = function () {
      var length = text.value.length;
      var line = message(form, length < minimum ? "count-short" : "count-enough")
        .replace("{count}", length.toLocaleString(document.documentElement.lang))
        .replace("{min}", minimum.toLocaleString(document.documentElement.lang));
      counter.textContent = line;
      counter.classList.toggle("char-count-short", length > 0 && length < minimum);
      window.clearTimeout(pause);
      pause = window.setTimeout(function () { spoken.textContent = line; }, 1200);
    };
    if (text) {
      counter.hidden = false;
      text.addEventListener("input", count);
      count();
      spoken.textContent = "";
    }
  }

  // A recording file is the other way in where the browser can record: one tap away.
  var uploadInstead = form.querySelector(".upload-instead");
  if (uploadInstead && window.MediaRecorder && navigator.mediaDevices &&
      !uploadInstead.querySelector(".errors")) {
    uploadInstead.open = false;
  }

  // The embargo date, shown once it is asked for (and always when it has an error).
  var later = form.querySelector('input[name="show_from"][value="later"]');
  var dateBox = form.querySelector(".embargo-date");
  if (later && dateBox) {
    var showDate = function () {
      dateBox.hidden = !later.checked && !dateBox.querySelector(".errors");
    };
    form.querySelectorAll('input[name="show_from"]').forEach(function (choice) {
      choice.addEventListener("change", showDate);
    });
    showDate();
  }

  // The draft on this device.
  var box = document.querySelector("[data-device-draft]");
  var storage = null;
  try {
    storage = window.localStorage;
    storage.getItem(STORE_KEY);
  } catch (blocked) {
    storage = null;
  }
  if (!box || !storage) {
    return;
  }
  var keep = box.querySelector("[data-keep]");
  var forget = box.querySelector("[data-forget]");
  var status = box.querySelector("[data-status]");
  box.hidden = false;

  function stored() {
    try {
      return JSON.parse(storage.getItem(STORE_KEY)) || null;
    } catch (broken) {
      return null;
    }
  }
  function fields() {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.name && NEVER_KEPT.indexOf(element.name) === -1 &&
        element.type !== "submit" && element.type !== "button" && element.type !== "file" &&
        element.type !== "hidden";
    });
  }
  function save() {
    var draft = stored() || { answers: {} };
    var names = {};
    fields().forEach(function (element) {
      if (element.type === "radio" || element.type === "checkbox") {
        if (!names[element.name]) {
          names[element.name] = [];
        }
        if (element.checked) {
          names[element.name].push(element.value);
        }
      } else {
        names[element.name] = [element.value];
      }
    });
    Object.keys(names).forEach(function (name) { draft.answers[name] = names[name]; });
    draft.savedAt = new Date().toISOString();
    storage.setItem(STORE_KEY, JSON.stringify(draft));
  }
  // Only into what is still empty here: what the server kept is newer.
  function restore(draft) {
    var filled = false;
    var groupsAnswered = {};
    fields().forEach(function (element) {
      if ((element.type === "radio" || element.type === "checkbox") && element.checked) {
        groupsAnswered[element.name] = true;
      }
    });
    fields().forEach(function (element) {
      var values = draft.answers[element.name];
      if (!values || !values.length) {
        return;
      }
      if (element.type === "radio" || element.type === "checkbox") {
        if (!groupsAnswered[element.name] && values.indexOf(element.value) !== -1) {
          element.checked = true;
          element.dispatchEvent(new Event("change", { bubbles: true }));
          filled = true;
        }
      } else if (!element.value && values[0]) {
        element.value = values[0];
        element.dispatchEvent(new Event("input", { bubbles: true }));
        filled = true;
      }
    });
    return filled;
  }

  var existing = stored();
  keep.checked = Boolean(existing);
  forget.hidden = !existing;
  if (existing && restore(existing)) {
    status.textContent = message(box, "restored");
  }
  form.addEventListener("input", function () {
    if (keep.checked) {
      save();
    }
  });
  form.addEventListener("change", function () {
    if (keep.checked) {
      save();
    }
  });
  keep.addEventListener("change", function () {
    if (keep.checked) {
      save();
      forget.hidden = false;
      status.textContent = message(box, "kept");
    } else {
      storage.removeItem(STORE_KEY);
      forget.hidden = true;
      status.textContent = message(box, "forgotten");
    }
  });
  forget.addEventListener("click", function () {
    storage.removeItem(STORE_KEY);
    keep.checked = false;
    forget.hidden = true;
    status.textContent = message(box, "forgotten");
    keep.focus();
  });
})();
