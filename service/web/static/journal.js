// Sends the chosen file itself as the request body (streamed by the server to storage),
// then opens the registered cover; a refusal is shown next to the field it is about.
(function () {
  "use strict";
  var form = document.getElementById("dienynas");
  if (!form) { return; }
  var button = form.querySelector("button[type=submit]");
  function show(field, text) {
    var slot = document.getElementById("error-" + field) || document.getElementById("error-file");
    slot.textContent = text;
    slot.hidden = !text;
    slot.parentElement.classList.toggle("has-error", Boolean(text));
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
    fetch(form.action + "?" + query.toString(), {
      method: "POST",
      body: file,
      credentials: "same-origin",
      headers: {
        "X-CSRF-Token": form.elements.csrf.value,
        "Content-Type": file.type || "application/octet-stream"
      }
    }).then(function (response) {
      return response.json().then(function (body) {
        if (response.ok) { window.location.href = body.location; return; }
        show(body.field || "file", body.detail || "Įkelti nepavyko.");
        button.disabled = false;
        button.textContent = "Įkelti ir įregistruoti";
      });
    }).catch(function () {
      show("file", "Ryšys nutrūko: niekas neužregistruota, bandykite dar kartą.");
      button.disabled = false;
      button.textContent = "Įkelti ir įregistruoti";
    });
  });
})();
