/* Refresh the status of videos still queued or processing, without a
 * reload, until each is ready or failed. */
(function () {
  "use strict";
  function poll() {
    var cells = document.querySelectorAll("[data-video-status-url]:not([data-video-status-url=''])");
    if (!cells.length) return;
    cells.forEach(function (cell) {
      fetch(cell.dataset.videoStatusUrl, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          cell.textContent = data.label;
          cell.dataset.status = data.status;
          if (data.status === "ready" || data.status === "failed") {
            cell.dataset.videoStatusUrl = "";
            if (data.reason) {
              var why = document.createElement("div");
              why.className = "help-block help-critical";
              why.textContent = data.reason;
              cell.parentNode.appendChild(why);
            }
          }
        });
    });
    setTimeout(poll, 3000);
  }
  document.addEventListener("DOMContentLoaded", function () { setTimeout(poll, 2000); });
})();
