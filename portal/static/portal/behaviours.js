// Small page behaviours declared with data attributes, so templates need no inline script or
// on* handler (the Content-Security-Policy allows only script files served by the portal).
//   data-select-on-focus  selects an input's text when it gets focus (issued API tokens)
//   data-autosubmit       submits the element's form when its value changes (list filters)
(function () {
  "use strict";
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-select-on-focus")) {
      target.select();
    }
  });
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof Element && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.requestSubmit();
    }
  });
})();
