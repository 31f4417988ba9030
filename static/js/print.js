// The report's Print button: shown only where this script runs (it is hidden in the HTML, so a
// page without JavaScript has no button that does nothing), and prints the page with print.css.
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
