// While a long check runs, the button says so and cannot be pressed twice.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target.closest(".js-busy");
    if (!form) { return; }
    var button = form.querySelector("[data-busy]");
    button.disabled = true;
    button.textContent = button.getAttribute("data-busy");
    button.classList.add("busy");
  });
})();
