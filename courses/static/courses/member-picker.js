/* The cohort member picker: a search box over the tick boxes (each label
 * holds the person's name, username, unit and roles), the number ticked,
 * and the ticked people kept on top.  Without script the plain list works. */
(function () {
  "use strict";
  function setUp(picker) {
    var search = picker.querySelector("[data-role=search]");
    var count = picker.querySelector("[data-role=count]");
    var none = picker.querySelector("[data-role=none]");
    // Django renders each option as a <div> holding a label and its box.
    var items = Array.prototype.slice.call(picker.querySelectorAll("[data-role=list] div"))
      .filter(function (row) {
        return row.children.length === 1 && row.querySelector(":scope > label > input[type=checkbox]");
      });
    var parent = items.length ? items[0].parentNode : null;
    search.hidden = false;
    count.hidden = false;

    function ticked(li) { return li.querySelector("input[type=checkbox]").checked; }

    function update() {
      var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0, chosen = 0;
      items.forEach(function (li) {
        var text = li.textContent.toLowerCase();
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        li.hidden = !match && !ticked(li);
        if (!li.hidden) shown += 1;
        if (ticked(li)) chosen += 1;
      });
      none.hidden = shown !== 0;
      count.textContent = (picker.dataset.countText || "✓ %s").replace("%s", String(chosen));
    }

    function ticksFirst() {
      if (!parent) return;
      items.filter(ticked).concat(items.filter(function (li) { return !ticked(li); }))
        .forEach(function (li) { parent.appendChild(li); });
    }

    search.addEventListener("input", update);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();  // not a form submit
    });
    picker.addEventListener("change", update);
    ticksFirst();
    update();
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-member-picker]"), setUp);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
