// Click-to-load video players (templates/includes/video_embed.html).
// Nothing is fetched from the video platform until the visitor presses the play button; then
// the player is loaded from the platform's privacy-enhanced host, in a sandboxed frame. The
// Content-Security-Policy (frame-src) allows exactly these hosts.
(function () {
  "use strict";

  var EMBED_ORIGINS = [
    "https://www.youtube-nocookie.com/",
    "https://player.vimeo.com/",
    "https://player.bilibili.com/",
    "https://player.youku.com/"
  ];

  function allowed(src) {
    return EMBED_ORIGINS.some(function (origin) {
      return src.indexOf(origin) === 0;
    });
  }

  document.querySelectorAll("[data-video-embed]").forEach(function (figure) {
    var frame = figure.querySelector("[data-embed-src]");
    var button = figure.querySelector("[data-video-play]");
    if (!frame || !button || !allowed(frame.getAttribute("data-embed-src") || "")) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var player = document.createElement("iframe");
      player.className = "video-player";
      player.title = frame.getAttribute("data-embed-title") || "";
      player.setAttribute("sandbox", "allow-scripts allow-same-origin allow-presentation");
      player.setAttribute("allow", "fullscreen; picture-in-picture");
      player.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
      player.setAttribute("loading", "lazy");
      player.src = frame.getAttribute("data-embed-src");
      frame.replaceChildren(player);
      frame.classList.add("is-playing");
      player.focus();
    });
  });
})();
