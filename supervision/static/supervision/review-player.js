/* The review player: "comment at the current moment" fills the m:ss field
 * from the player; a comment's time seeks there; quality keeps the place.
 * Without JavaScript the m:ss field and the ?t= links do the same. */
(function () {
  "use strict";
  var video = document.getElementById("review-video");
  if (!video) return;
  function mmss(seconds) {
    var whole = Math.max(0, Math.floor(seconds));
    var s = whole % 60;
    return Math.floor(whole / 60) + ":" + (s < 10 ? "0" : "") + s;
  }
  var now = document.querySelector("[data-role=now]");
  var at = document.querySelector("[data-testid=comment-form] input[name=at]");
  var body = document.querySelector("[data-testid=comment-form] textarea[name=body]");
  if (now && at) {
    now.hidden = false;
    now.addEventListener("click", function () {
      video.pause();
      at.value = mmss(video.currentTime);
      if (body) body.focus();
    });
  }
  document.querySelectorAll("a[data-seconds]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      video.currentTime = parseInt(link.dataset.seconds, 10) || 0;
      video.scrollIntoView({ block: "nearest" });
      video.play();
    });
  });
  var quality = document.querySelector("[data-role=quality]");
  if (quality) quality.addEventListener("change", function () {
    var position = video.currentTime, playing = !video.paused;
    video.src = quality.value;
    video.addEventListener("loadedmetadata", function resume() {
      video.removeEventListener("loadedmetadata", resume);
      video.currentTime = position;
      if (playing) video.play();
    });
  });
})();
