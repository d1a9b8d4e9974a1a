// Adds rows to a list in a form (e.g. results). Without JavaScript the form still has a fixed
// number of rows; this only lets a person add more.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-row]");
    if (!button) { return; }
    var name = button.getAttribute("data-add-row");
    var body = document.querySelector('[data-rows="' + name + '"] tbody');
    var rows = body.querySelectorAll("tr[data-row]");
    var last = rows[rows.length - 1];
    var index = rows.length;
    var row = last.cloneNode(true);
    row.querySelector("td.num").textContent = String(index + 1);
    row.querySelectorAll("input, textarea").forEach(function (input) {
      input.name = input.name.replace(/\.\d+\./, "." + index + ".");
      input.id = input.id.replace(/-\d+-/, "-" + index + "-");
      input.value = "";
      input.removeAttribute("aria-invalid");
      var label = input.getAttribute("aria-label");
      if (label) { input.setAttribute("aria-label", label.replace(/\d+ eilutė$/, (index + 1) + " eilutė")); }
      input.removeAttribute("aria-describedby");
    });
    row.querySelectorAll(".error").forEach(function (e) { e.remove(); });
    row.querySelectorAll(".has-error").forEach(function (e) { e.classList.remove("has-error"); });
    body.appendChild(row);
    row.querySelector("input").focus();
  });
})();
