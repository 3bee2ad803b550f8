// Drops: keep every countdown to an embargo ticking (the server renders the first value).
(function () {
  "use strict";
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function text(seconds) {
    if (seconds <= 0) { return "now"; }
    var days = Math.floor(seconds / 86400);
    var hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var secs = seconds % 60;
    if (days > 0) { return days + " d " + pad(hours) + " h " + pad(minutes) + " min"; }
    return pad(hours) + " h " + pad(minutes) + " min " + pad(secs) + " s";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var until = Date.parse(el.getAttribute("data-countdown"));
      if (!isNaN(until)) { el.textContent = text(Math.floor((until - now) / 1000)); }
    });
  }
  tick();
  window.setInterval(tick, 1000);
})();
