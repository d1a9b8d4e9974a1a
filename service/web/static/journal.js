// Sends the chosen file itself as the request body (streamed by the server to storage), shows
// how much has gone (a year's journal can be gigabytes), then opens the registered cover; a
// refusal is shown next to the field it is about.
(function () {
  "use strict";
  var form = document.getElementById("dienynas");
  if (!form) { return; }
  var button = form.querySelector("button[type=submit]");
  var bar = document.getElementById("j-progress");
  var said = document.getElementById("j-progress-text");
  function show(field, text) {
    var slot = document.getElementById("error-" + field) || document.getElementById("error-file");
    slot.textContent = text;
    slot.hidden = !text;
    slot.parentElement.classList.toggle("has-error", Boolean(text));
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
    ["file", "school_year", "note"].forEach(function (f) { show(f, ""); });
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
      show(body.field || "file", body.detail || "Įkelti nepavyko.");
      again();
    };
    xhr.onerror = function () {
      show("file", "Ryšys nutrūko: niekas neužregistruota, bandykite dar kartą.");
      again();
    };
    xhr.send(file);
  });
})();
