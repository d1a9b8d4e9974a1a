// Sends the chosen file itself as the request body (streamed by the server to storage), shows
// how much has gone (a year's journal can be gigabytes), then opens the registered cover; a
// refusal is shown as the other forms show theirs: a summary that takes focus and links to the
// field, the field marked invalid and described by its message, and "Klaida:" in the title.
(function () {
  "use strict";
  var form = document.getElementById("dienynas");
  if (!form) { return; }
  var button = form.querySelector("button[type=submit]");
  var bar = document.getElementById("j-progress");
  var said = document.getElementById("j-progress-text");
  var summary = document.getElementById("klaidos");
  var title = document.title.replace(/^Klaida: /, "");
  var fields = ["file", "school_year", "note"];
  function clear() {
    fields.forEach(function (f) {
      var input = document.getElementById("j-" + f);
      var slot = document.getElementById("j-" + f + "-err");
      slot.textContent = "";
      slot.hidden = true;
      input.removeAttribute("aria-invalid");
      var hint = document.getElementById("j-" + f + "-hint");
      if (hint) { input.setAttribute("aria-describedby", hint.id); } else { input.removeAttribute("aria-describedby"); }
      input.closest(".field").classList.remove("has-error");
    });
    summary.hidden = true;
    document.title = title;
  }
  function show(field, text) {
    if (fields.indexOf(field) < 0) { field = "file"; }
    var input = document.getElementById("j-" + field);
    var slot = document.getElementById("j-" + field + "-err");
    var label = form.querySelector('label[for="j-' + field + '"]').firstChild.textContent.trim();
    slot.textContent = text;
    slot.hidden = false;
    input.setAttribute("aria-invalid", "true");
    var hint = document.getElementById("j-" + field + "-hint");
    input.setAttribute("aria-describedby", slot.id + (hint ? " " + hint.id : ""));
    input.closest(".field").classList.add("has-error");
    var list = summary.querySelector("ul");
    list.textContent = "";
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = "#j-" + field;
    link.textContent = label + ": " + text;
    item.appendChild(link);
    list.appendChild(item);
    summary.hidden = false;
    document.title = "Klaida: " + title;
    summary.focus();
  }
  function mib(bytes) { return (bytes / 1048576).toFixed(1).replace(".", ","); }
  function progress(text, value) {
    bar.parentElement.hidden = text === "";
    said.textContent = text;
    if (value === null) { bar.removeAttribute("value"); } else { bar.value = value; }
  }
  function again() {
    button.disabled = false;
    button.textContent = "Įkelti ir įregistruoti";
    progress("", 0);
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clear();
    var file = form.elements.file.files[0];
    if (!file) { show("file", "Pasirinkite dienyno failą."); return; }
    var query = new URLSearchParams({
      filename: file.name,
      school_year: form.elements.school_year.value,
      note: form.elements.note.value
    });
    button.disabled = true;
    button.textContent = "Įkeliama…";
    progress("Pradedama…", 0);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action + "?" + query.toString());
    xhr.setRequestHeader("X-CSRF-Token", form.elements.csrf.value);
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) { return; }
      var part = Math.floor((e.loaded * 100) / e.total);
      progress(part + " % (" + mib(e.loaded) + " iš " + mib(e.total) + " MiB)", part);
    };
    xhr.upload.onload = function () {
      progress("Failas išsiųstas: tikrinama santrauka ir registruojama…", null);
    };
    xhr.onload = function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (ignored) { body = {}; }
      if (xhr.status >= 200 && xhr.status < 300 && body.location) {
        window.location.href = body.location;
        return;
      }
      again();
      show(body.field || "file", body.detail || "Įkelti nepavyko.");
    };
    xhr.onerror = function () {
      again();
      show("file", "Ryšys nutrūko: niekas neužregistruota, bandykite dar kartą.");
    };
    xhr.send(file);
  });
})();
