/* The rubric editor: show the fields of the chosen rubric kind.
 *
 * Each group of fields carries data-rubric-group (see _rubric_fields.html); the groups a kind
 * uses are listed below, and a formula also uses those of the kind that scores its result. The
 * server renders the page with the right groups shown, so without this script the form still
 * works for the kind it was loaded with. The preview and the formula check are htmx requests.
 */
(function () {
  "use strict";

  var GROUPS = {
    linear: ["linear", "try"],
    bands: ["bands", "try"],
    yes_no: ["yes_no", "try"],
    bonus: ["per", "cap", "try"],
    deduction: ["per", "deduction", "try"],
    veto: ["veto", "try"],
    formula: ["formula"],
    appraisal: ["appraisal"],
    none: []
  };

  function update(fieldset) {
    var kind = fieldset.querySelector("[name='rubric-kind']").value;
    var shown = (GROUPS[kind] || []).slice();
    if (kind === "formula") {
      shown.push(fieldset.querySelector("[name='rubric-then']").value);
    }
    fieldset.querySelectorAll("[data-rubric-group]").forEach(function (group) {
      group.hidden = shown.indexOf(group.getAttribute("data-rubric-group")) < 0;
    });
  }

  function start() {
    var fieldset = document.getElementById("rubric-fields");
    if (!fieldset) {
      return;
    }
    fieldset.addEventListener("change", function (event) {
      var name = event.target.getAttribute("name");
      if (name === "rubric-kind" || name === "rubric-then") {
        update(fieldset);
      }
    });
    update(fieldset);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
