/* The submission page's entry form (loaded with defer; the page works without it).
 *
 * - The section index: filled / required counts per section and for the whole form follow what
 *   is typed. A row counts as filled when it has a value (or "not applicable") and, where the
 *   framework requires evidence for a value, a file. Rows counted from records keep what the
 *   server said. On a narrow screen the index starts folded.
 * - Evidence: files chosen (several at once, or from the phone's camera) or dropped on a row
 *   are uploaded at once with fetch, and only the row's evidence line is replaced: the values
 *   typed in the form stay as they are, unsaved, and the page is not reloaded. Images are
 *   previewed from the file itself; a PDF by its name, size and number of pages (the portal's
 *   content policy lets no PDF viewer run on the page). Removing a file works the same way.
 */
(function () {
  "use strict";

  var form = document.getElementById("entry-form");
  var layout = document.querySelector("[data-entry-layout]");
  document.documentElement.classList.add("entry-js");

  function entering() {
    var mode = form && form.querySelector("input[name=mode]");
    return mode && mode.value === "enter";
  }

  function msg(name, fallback) {
    return (layout && layout.getAttribute("data-msg-" + name)) || fallback;
  }

  // -- the section index ------------------------------------------------------------------------

  function hasValue(row) {
    var na = row.querySelector("input[name^='na-']:checked");
    if (na) return true;
    var voters = row.querySelector("input[name$='-voters']");
    if (voters) return voters.value.trim() !== "";
    var input = row.querySelector("[name^='v-']");
    return !!input && input.value.trim() !== "";
  }

  function notApplicable(row) {
    var select = row.querySelector("select[name^='v-']");
    return !!row.querySelector("input[name^='na-']:checked") || (select && select.value === "n/a");
  }

  function filled(row) {
    if (row.hasAttribute("data-counted")) return row.getAttribute("data-counted") === "1";
    if (!hasValue(row)) return false;
    if (!row.hasAttribute("data-evidence-required") || notApplicable(row)) return true;
    var evidence = row.querySelector("[data-evidence-count]");
    return !!evidence && evidence.getAttribute("data-evidence-count") !== "0";
  }

  function setCount(element, value) {
    var target = element && element.querySelector("[data-filled]");
    if (target) target.textContent = String(value);
  }

  function recount() {
    if (!layout || !entering()) return;
    var total = 0;
    var bySection = {};
    layout.querySelectorAll(".entry-row[data-required]").forEach(function (row) {
      var section = row.closest("[data-section]");
      var code = section ? section.getAttribute("data-section") : "";
      var required = bySection[code] || (bySection[code] = { filled: 0, required: 0 });
      required.required += 1;
      if (filled(row)) {
        required.filled += 1;
        total += 1;
      }
    });
    Object.keys(bySection).forEach(function (code) {
      var element = layout.querySelector("[data-section-count='" + code + "']");
      if (!element) return;
      setCount(element, bySection[code].filled);
      var done = bySection[code].filled === bySection[code].required;
      element.classList.toggle("text-success-emphasis", done);
      element.classList.toggle("text-body-secondary", !done);
    });
    setCount(layout.querySelector("[data-count-total]"), total);
  }

  var box = document.querySelector("[data-entry-index-box]");
  if (box && window.matchMedia("(max-width: 991.98px)").matches) box.removeAttribute("open");
  if (box) {
    box.addEventListener("click", function (event) {
      // On a phone the folded index closes again once a section is chosen.
      if (event.target.closest("a") && window.matchMedia("(max-width: 991.98px)").matches) {
        box.removeAttribute("open");
      }
    });
  }
  if (form) {
    form.addEventListener("input", recount);
    form.addEventListener("change", function (event) {
      if (!event.target.matches("[data-evidence-input]")) recount();
    });
  }

  // -- evidence ---------------------------------------------------------------------------------

  function csrf() {
    var token = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return token ? token.value : "";
  }

  function preview(file) {
    var item = document.createElement("span");
    item.className = "entry-preview small text-body-secondary";
    if (/^image\//.test(file.type)) {
      var img = document.createElement("img");
      img.alt = file.name;
      var reader = new FileReader();
      reader.onload = function () {
        img.src = reader.result; // a data: URL, which the content policy allows for images
      };
      reader.readAsDataURL(file);
      item.appendChild(img);
    } else {
      var icon = document.createElement("i");
      icon.className = "bi bi-file-earmark" + (file.type === "application/pdf" ? "-pdf" : "");
      icon.setAttribute("aria-hidden", "true");
      item.appendChild(icon);
    }
    var label = document.createElement("span");
    label.textContent = file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)";
    item.appendChild(label);
    if (file.type === "application/pdf" && file.size < 20 * 1024 * 1024) {
      file.arrayBuffer().then(function (buffer) {
        var text = new TextDecoder("latin1").decode(buffer);
        var pages = (text.match(/\/Type\s*\/Page(?![s\w])/g) || []).length;
        if (pages) label.textContent += " · " + msg("pages", "PDF, %(n)s pages").replace("%(n)s", pages);
      });
    }
    return item;
  }

  function swap(zone, html, previews) {
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var fresh = holder.firstElementChild;
    if (!fresh) return;
    zone.replaceWith(fresh);
    var list = fresh.querySelector("[data-evidence-previews]");
    if (list && previews) previews.forEach(function (node) { list.appendChild(node); });
    var note = fresh.querySelector("[data-evidence-note]");
    recount();
    if (note) note.setAttribute("tabindex", "-1");
  }

  function failed(zone) {
    var note = document.createElement("div");
    note.className = "text-danger-emphasis";
    note.setAttribute("role", "alert");
    note.textContent = msg("failed", "The upload failed; try again.");
    zone.prepend(note);
  }

  function post(zone, url, body, previews) {
    zone.setAttribute("aria-busy", "true");
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Entry-Fetch": "1", "X-CSRFToken": csrf() },
    })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) { swap(zone, html, previews); })
      .catch(function () {
        zone.removeAttribute("aria-busy");
        failed(zone);
      });
  }

  function upload(zone, files) {
    if (!files || !files.length) return;
    var code = zone.getAttribute("data-code");
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrf());
    body.append("indicator", code);
    var previews = [];
    var list = zone.querySelector("[data-evidence-previews]");
    Array.prototype.forEach.call(files, function (file) {
      body.append("file-" + code, file);
      var node = preview(file);
      previews.push(node);
      if (list) list.appendChild(node);
    });
    var status = document.createElement("span");
    status.className = "small text-body-secondary";
    status.setAttribute("role", "status");
    status.setAttribute("data-uploading", "");
    status.textContent = msg("uploading", "Uploading…");
    if (list) list.appendChild(status);
    return post(zone, zone.getAttribute("data-upload-url"), body, previews);
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-evidence-input]")) return;
    var zone = input.closest("[data-evidence-drop]");
    if (zone) upload(zone, input.files);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-evidence-delete]");
    if (!button) return;
    var zone = button.closest("[data-evidence-drop]");
    if (!zone) return;
    event.preventDefault();
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrf());
    post(zone, button.getAttribute("formaction"), body, null);
  });

  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var zone = event.target.closest && event.target.closest("[data-evidence-drop]");
      if (!zone) return;
      event.preventDefault();
      zone.classList.add("entry-drop-over");
    });
  });
  document.addEventListener("dragleave", function (event) {
    var zone = event.target.closest && event.target.closest("[data-evidence-drop]");
    if (zone && !zone.contains(event.relatedTarget)) zone.classList.remove("entry-drop-over");
  });
  document.addEventListener("drop", function (event) {
    var zone = event.target.closest && event.target.closest("[data-evidence-drop]");
    if (!zone) return;
    event.preventDefault();
    zone.classList.remove("entry-drop-over");
    upload(zone, event.dataTransfer && event.dataTransfer.files);
  });

  recount();
})();
