// readouts web UI: no inline scripts (CSP script-src 'self'); data comes from
// <script type="application/json"> blocks and is only ever inserted as text.
// Charts need no script: the server draws them as SVG (readouts.web.charts).
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) { el.className = cls; }
    return el;
  }

  function spanPanel() {
    var spans = readJson("spans-data");
    var detail = document.getElementById("span-detail");
    var article = document.getElementById("doc-text");
    if (!spans || !detail || !article) { return; }
    var selected = null;
    function show(mark) {
      var ids = (mark.getAttribute("data-spans") || "").split(" ").filter(Boolean);
      detail.replaceChildren();
      ids.forEach(function (i) {
        var s = spans[Number(i)];
        if (!s) { return; }
        var box = document.createElement("div");
        box.className = "value";
        var head = document.createElement("p");
        head.appendChild(text("span", s.field, "hl f-" + s.field));
        head.appendChild(document.createTextNode(" rule "));
        head.appendChild(text("code", s.rule || "?", "rule"));
        box.appendChild(head);
        box.appendChild(text("p", s.label));
        box.appendChild(text("p", "\u201c" + (s.text || "") + "\u201d [" + s.start + "\u2013" + s.end + "]", "meta"));
        detail.appendChild(box);
      });
    }
    article.addEventListener("mouseover", function (ev) {
      var mark = ev.target.closest("mark.hl");
      if (mark && !selected) { show(mark); }
    });
    article.addEventListener("focusin", function (ev) {
      var mark = ev.target.closest("mark.hl");
      if (mark) { show(mark); }
    });
    article.addEventListener("click", function (ev) {
      var mark = ev.target.closest("mark.hl");
      if (selected) { selected.classList.remove("selected"); }
      if (!mark || mark === selected) { selected = null; return; }
      selected = mark;
      mark.classList.add("selected");
      show(mark);
    });
  }

  function start() { spanPanel(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
