(function () {
  var box = document.querySelector("[data-status-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-status-url");
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return setTimeout(poll, 4000); }
        box.querySelector("[data-role=label]").textContent = state.label;
        box.querySelector("[data-role=processed]").textContent = state.processed;
        var bar = box.querySelector("[data-role=bar]");
        bar.max = state.total || 1; bar.value = state.processed;
        if (state.finished) { window.location.reload(); } else { setTimeout(poll, 2000); }
      })
      .catch(function () { setTimeout(poll, 4000); });
  }
  setTimeout(poll, 2000);
})();
