// How a narrator appears, on the share form. With JavaScript: the name box shows
// only once "With a name I choose" is picked, and a card shows what readers will
// see of the narrator as they type. Without it, the box is always there, its label
// saying it is used only for that choice, and the review step shows the card.
(function () {
  "use strict";
  var choices = document.querySelectorAll('input[name="appear"]');
  var box = document.querySelector(".appear-name");
  if (!choices.length || !box) {
    return;
  }
  function field(name) {
    return document.querySelector('[name="' + name + '"]');
  }
  function typed(name) {
    var input = field(name);
    return input ? input.value.trim() : "";
  }
  function named() {
    return Boolean(document.querySelector('input[name="appear"][value="named"]:checked'));
  }

  // The same line as the story page's (templates/stories/_narrator.html), and the year.
  var preview = document.querySelector(".live-preview");
  function showPreview() {
    if (!preview) {
      return;
    }
    var card = preview.querySelector(".preview-card");
    var name = named() && typed("narrator_name") ? typed("narrator_name") : preview.dataset.anonymous;
    var descriptor = typed("narrator_descriptor");
    var place = typed("place");
    var year = typed("year_happened");
    card.textContent = "";
    var strong = document.createElement("span");
    strong.className = "narrator-name";
    strong.textContent = name;
    card.appendChild(strong);
    var rest = "";
    if (descriptor) {
      rest += ", " + descriptor;
    }
    if (place && descriptor.indexOf(place) === -1) {
      rest += " · " + place;
    }
    if (year) {
      rest += " · " + year;
    }
    card.appendChild(document.createTextNode(rest));
    // Only once a choice is made: "Anonymous" before it would look like one made for them.
    preview.hidden = !document.querySelector('input[name="appear"]:checked');
  }

  function update() {
    // A name box with an error stays in view, whatever is chosen.
    box.hidden = !named() && !box.querySelector(".errors");
    showPreview();
  }
  for (var i = 0; i < choices.length; i++) {
    choices[i].addEventListener("change", update);
  }
  ["narrator_name", "narrator_descriptor", "place", "year_happened"].forEach(function (name) {
    var input = field(name);
    if (input) {
      input.addEventListener("input", showPreview);
    }
  });
  update();
})();
