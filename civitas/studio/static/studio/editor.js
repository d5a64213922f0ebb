// Programme studio: line numbers beside the rules, form and test textareas. Without JavaScript
// they stay plain textareas; nothing here is needed to read, edit or save.
(function () {
  "use strict";
  function gutterFor(area) {
    var gutter = document.createElement("pre");
    gutter.className = "civitas-code-gutter";
    gutter.setAttribute("aria-hidden", "true");
    function draw() {
      var lines = area.value.split("\n").length;
      var out = [];
      for (var i = 1; i <= lines; i += 1) out.push(String(i));
      gutter.textContent = out.join("\n");
      gutter.scrollTop = area.scrollTop;
    }
    area.addEventListener("input", draw);
    area.addEventListener("scroll", function () { gutter.scrollTop = area.scrollTop; });
    var wrapper = document.createElement("div");
    wrapper.className = "civitas-code-wrapper";
    area.parentNode.insertBefore(wrapper, area);
    wrapper.appendChild(gutter);
    wrapper.appendChild(area);
    draw();
  }
  document.querySelectorAll("textarea[data-studio-editor]").forEach(gutterFor);
})();
