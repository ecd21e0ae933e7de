// For host pages that embed the Lernorte map: sizes each Lernorte iframe to its content.
// Include once, anywhere on the page: <script src="https://…/static/embed/resize.js" async></script>
(function () {
  "use strict";
  var MIN = 200, MAX = 10000;
  var origin = new URL(document.currentScript ? document.currentScript.src : window.location.href).origin;

  function frames() {
    return Array.prototype.filter.call(document.getElementsByTagName("iframe"), function (frame) {
      try {
        var url = new URL(frame.src, window.location.href);
        return url.origin === origin && /^\/embed(\/|$)/.test(url.pathname);
      } catch (e) {
        return false;
      }
    });
  }

  function hello(frame) {
    if (frame.contentWindow) frame.contentWindow.postMessage({ type: "lernorte:hello" }, origin);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || !event.data || event.data.type !== "lernorte:height") return;
    var height = Math.round(Number(event.data.height));
    if (!isFinite(height)) return;
    frames().forEach(function (frame) {
      if (frame.contentWindow === event.source) {
        frame.style.height = Math.min(MAX, Math.max(MIN, height)) + "px";
      }
    });
  });

  function greet() {
    frames().forEach(function (frame) {
      if (!frame.dataset.lernorteResize) {
        frame.dataset.lernorteResize = "1";
        frame.addEventListener("load", function () { hello(frame); });
      }
      hello(frame);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", greet);
  else greet();
  window.addEventListener("load", greet);
})();
