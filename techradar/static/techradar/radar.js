// Shows the name and ring of the blip under the pointer or keyboard focus beside it, and
// highlights its legend line. Without this script the blips' <title> and the legend still work.
(function () {
  "use strict";
  function setUp(svg) {
    var tip = svg.querySelector(".radar-tip");
    var text = tip.querySelector("text");
    var box = tip.querySelector("rect");
    function show(blip) {
      var match = /translate\(([-\d.]+)[ ,]+([-\d.]+)\)/.exec(blip.getAttribute("transform"));
      if (!match) { return; }
      var x = parseFloat(match[1]), y = parseFloat(match[2]);
      text.textContent = blip.getAttribute("aria-label");
      var width = text.getComputedTextLength() + 16;
      var left = Math.max(-430, Math.min(430 - width, x - width / 2));
      var top = y - 44 < -430 ? y + 18 : y - 44;
      box.setAttribute("x", left); box.setAttribute("y", top);
      box.setAttribute("width", width); box.setAttribute("height", 26);
      text.setAttribute("x", left + 8); text.setAttribute("y", top + 17);
      tip.setAttribute("visibility", "visible");
      highlight(blip, true);
    }
    function hide(blip) { tip.setAttribute("visibility", "hidden"); highlight(blip, false); }
    function highlight(blip, on) {
      var href = blip.getAttribute("href");
      document.querySelectorAll(".radar-legend a").forEach(function (link) {
        if (link.getAttribute("href") === href) { link.classList.toggle("is-active", on); }
      });
    }
    svg.querySelectorAll(".blip").forEach(function (blip) {
      blip.addEventListener("mouseenter", function () { show(blip); });
      blip.addEventListener("focus", function () { show(blip); });
      blip.addEventListener("mouseleave", function () { hide(blip); });
      blip.addEventListener("blur", function () { hide(blip); });
    });
  }
  document.querySelectorAll(".radar-svg").forEach(setUp);
})();
