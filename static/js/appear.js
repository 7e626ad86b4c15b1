// The share form's "How do you want to appear?": with JavaScript, the name box
// shows only once "With a name I choose" is picked. Without it, the box is always
// there, its label saying it is used only for that choice.
(function () {
  "use strict";
  var choices = document.querySelectorAll('input[name="appear"]');
  var box = document.querySelector(".appear-name");
  if (!choices.length || !box) {
    return;
  }
  document.documentElement.classList.add("js-appear");
  function update() {
    var named = document.querySelector('input[name="appear"][value="named"]:checked');
    // A name box with an error stays in view, whatever is chosen.
    box.hidden = !named && !box.querySelector(".errors");
  }
  for (var i = 0; i < choices.length; i++) {
    choices[i].addEventListener("change", update);
  }
  update();
})();
