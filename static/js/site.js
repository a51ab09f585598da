// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Filter panels are open in the HTML (so they work without JavaScript). On a narrow
  // screen, fold them away unless a filter is active or a value needs fixing.
  var narrow = window.matchMedia("(max-width: 47.99rem)");
  document.querySelectorAll("details[data-filter-panel]").forEach(function (panel) {
    if (narrow.matches && !panel.hasAttribute("data-keep-open")) {
      panel.open = false;
    }
  });

  // Escape closes the mobile menu and returns focus to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    document.querySelectorAll("details.nav-mobile[open]").forEach(function (menu) {
      menu.open = false;
      var summary = menu.querySelector("summary");
      if (summary) {
        summary.focus();
      }
    });
  });

  // Event times are shown in the event's own zone; add the visitor's local time beside them.
  document.querySelectorAll("time[data-local-time]").forEach(function (el) {
    var date = new Date(el.getAttribute("datetime"));
    if (isNaN(date)) {
      return;
    }
    var lang = document.documentElement.lang || undefined;
    if (lang === "en") {
      lang = "en-GB";
    }
    var local;
    try {
      var visitorZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (visitorZone && visitorZone === el.getAttribute("data-zone")) {
        return; // the visitor is in the event's zone: nothing to add
      }
      local = new Intl.DateTimeFormat(lang, {
        weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
        hourCycle: "h23", timeZoneName: "short"
      }).format(date);
    } catch (e) {
      return;
    }
    var target = document.getElementById(el.getAttribute("data-local-time"));
    if (target) {
      target.textContent = target.getAttribute("data-label") + " " + local;
      target.hidden = false;
    }
  });
})();
