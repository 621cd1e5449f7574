/* The lesson player: reports what was actually played, resumes where the
 * trainee stopped, and switches quality without losing the place.
 *
 * It sends the browser's own `video.played` ranges (seconds of video
 * time), so seeking adds nothing that was not played; the server keeps the
 * union and caps what a report can add by the time elapsed. */
(function () {
  "use strict";
  var video = document.getElementById("lesson-video");
  if (!video) return;
  var REPORT_EVERY_MS = 10000;
  var MAX_RATE = 2;
  var url = video.dataset.reportUrl;
  var token = video.dataset.token;
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
  var status = document.querySelector("[data-testid=lesson-status]");
  // Ranges played under earlier sources (a quality switch resets `played`).
  var earlier = [];
  var timer = null;
  var lastSent = "";

  function ranges() {
    var out = earlier.slice();
    for (var i = 0; i < video.played.length; i++) {
      out.push([video.played.start(i), video.played.end(i)]);
    }
    return out;
  }

  // The last percentage the server counted; the page never shows less.
  var serverPercent = parseInt(
    ((status && status.querySelector("[data-role=percent]")) || {}).textContent || "0", 10
  ) || 0;

  // What this page has played, merged, in seconds (overlaps counted once).
  function playedSeconds() {
    var list = ranges().filter(function (r) { return r[1] > r[0]; });
    list.sort(function (a, b) { return a[0] - b[0]; });
    var total = 0, start = null, end = null;
    list.forEach(function (r) {
      if (end === null || r[0] > end) {
        if (end !== null) total += end - start;
        start = r[0]; end = r[1];
      } else if (r[1] > end) {
        end = r[1];
      }
    });
    if (end !== null) total += end - start;
    return total;
  }

  // While playing, an estimate from what this page played; the server's
  // count (sent every REPORT_EVERY_MS) stays the judge of completion and
  // replaces the estimate when it is higher.
  function showEstimate() {
    if (!status || !video.duration || !isFinite(video.duration)) return;
    var percent = status.querySelector("[data-role=percent]");
    if (!percent) return;
    var estimate = Math.min(100, Math.floor(100 * playedSeconds() / video.duration));
    percent.textContent = Math.max(serverPercent, estimate);
  }

  function show(result) {
    if (!status || !result) return;
    var percent = status.querySelector("[data-role=percent]");
    serverPercent = result.watched_percent;
    if (percent) percent.textContent = Math.max(
      serverPercent, parseInt(percent.textContent, 10) || 0
    );
    if (result.completed) {
      status.classList.add("is-done");
      status.querySelector("[data-role=done]").hidden = false;
      status.querySelector("[data-role=pending]").hidden = true;
    }
  }

  function report(leaving) {
    var body = JSON.stringify({ token: token, ranges: ranges(), position: video.currentTime });
    if (body === lastSent) return;
    lastSent = body;
    var options = {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: body,
      keepalive: !!leaving,
    };
    fetch(url, options)
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(show)
      .catch(function () { lastSent = ""; });
  }

  video.addEventListener("loadedmetadata", function () {
    var resume = parseFloat(video.dataset.resume || "0");
    if (resume > 1 && resume < video.duration - 3) video.currentTime = resume;
    video.dataset.resume = "0";
  });
  video.addEventListener("play", function () {
    if (!timer) timer = setInterval(function () { report(false); }, REPORT_EVERY_MS);
  });
  video.addEventListener("pause", function () {
    clearInterval(timer); timer = null; report(false);
  });
  video.addEventListener("ended", function () { report(false); });
  video.addEventListener("timeupdate", showEstimate);
  video.addEventListener("ratechange", function () {
    if (video.playbackRate > MAX_RATE) video.playbackRate = MAX_RATE;
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") report(true);
  });
  window.addEventListener("pagehide", function () { report(true); });

  var rate = document.querySelector("[data-role=rate]");
  if (rate) rate.addEventListener("change", function () {
    video.playbackRate = Math.min(MAX_RATE, parseFloat(rate.value) || 1);
  });

  var quality = document.querySelector("[data-role=quality]");
  if (quality) quality.addEventListener("change", function () {
    earlier = ranges();
    var at = video.currentTime, playing = !video.paused, speed = video.playbackRate;
    video.src = quality.value;
    video.addEventListener("loadedmetadata", function once() {
      video.removeEventListener("loadedmetadata", once);
      video.currentTime = at;
      video.playbackRate = speed;
      if (playing) video.play();
    });
  });

  // For tests and for people who want to see the numbers.
  window.lessonPlayer = { report: report, ranges: ranges, playedSeconds: playedSeconds };
})();
