/* The review queue (loaded with defer; the page works without it).
 *
 * "Choose every submission of this page" ticks or clears the row boxes, and the bar below the
 * list says how many are chosen; the decision buttons wait for at least one.
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-queue-decide]");
  if (!form) return;
  var all = form.querySelector("[data-select-all]");
  var count = form.querySelector("[data-selected-count]");
  var buttons = form.querySelectorAll("[data-bulk-approve], [data-bulk-return-submit]");

  function boxes() {
    return Array.prototype.slice.call(form.querySelectorAll("input[name=ids]"));
  }

  function update() {
    var chosen = boxes().filter(function (box) { return box.checked; }).length;
    if (count) {
      count.textContent = chosen
        ? count.getAttribute("data-msg-some").replace("%(n)s", chosen)
        : count.getAttribute("data-msg-none");
    }
    buttons.forEach(function (button) { button.disabled = chosen === 0; });
    if (all) {
      var total = boxes().length;
      all.checked = total > 0 && chosen === total;
      all.indeterminate = chosen > 0 && chosen < total;
    }
  }

  if (all) {
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
      update();
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "ids") update();
  });
  update();
})();
