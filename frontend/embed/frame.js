// Inside /embed: tell a host page that runs resize.js how tall the content is.
// The host first says hello; only then is the map's height pinned (in pixels, so that the
// content no longer depends on the frame's height) and the height reported on every change.
(function () {
  "use strict";
  if (window.parent === window) return;
  var observing = false;

  function contentHeight() {
    var body = document.body;
    var style = window.getComputedStyle(body);
    return Math.ceil(body.getBoundingClientRect().height
      + parseFloat(style.marginTop) + parseFloat(style.marginBottom));
  }

  function report() {
    window.parent.postMessage({ type: "lernorte:height", height: contentHeight() }, "*");
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || !event.data || event.data.type !== "lernorte:hello") return;
    if (observing) { report(); return; }
    observing = true;
    var map = document.getElementById("map");
    if (map) map.style.blockSize = Math.round(map.getBoundingClientRect().height) + "px";
    new ResizeObserver(report).observe(document.body);
    report();
  });
})();
