/* Show only the fields the chosen kind uses; without this script every
   field shows and the server ignores the ones that do not apply. */
(function () {
  var kind = document.getElementById("id_kind");
  if (!kind) { return; }
  var fields = document.querySelectorAll("[data-kinds]");
  function update() {
    fields.forEach(function (field) {
      var kinds = field.getAttribute("data-kinds").split(" ");
      field.hidden = kinds.indexOf(kind.value) === -1;
    });
  }
  kind.addEventListener("change", update);
  update();
})();
