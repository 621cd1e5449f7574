/* The check-in screen: fetch a new QR code, short code and count every
 * few seconds (the token rotates every 30 s) and show them in place. */
(function () {
  "use strict";
  var root = document.querySelector("[data-screen-url]");
  if (!root) return;
  var part = function (role) { return root.querySelector("[data-role=" + role + "]"); };
  var qr = part("qr"), code = part("code"), present = part("present");
  var link = part("link"), stale = part("stale");
  var every = (parseInt(root.dataset.refreshSeconds, 10) || 20) * 1000;

  function show(data) {
    // The SVG is made by the server's QR library; parse it as SVG, not HTML.
    var svg = new DOMParser().parseFromString(data.svg, "image/svg+xml").documentElement;
    if (svg && svg.nodeName.toLowerCase() === "svg") {
      qr.replaceChildren(document.importNode(svg, true));
    }
    code.textContent = data.code;
    present.textContent = data.present;
    link.href = data.url;
    stale.hidden = true;
  }

  function tick() {
    fetch(root.dataset.screenUrl, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    })
      .then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) {
        show(data);
        setTimeout(tick, every);
      })
      .catch(function () {
        stale.hidden = false;
        setTimeout(tick, 5000);
      });
  }

  setTimeout(tick, every);
})();
