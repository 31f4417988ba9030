// The approvals inbox: a "select all" checkbox ticks (or clears) every record on the page.
// Without JavaScript each record is ticked by hand; the form works the same.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var all = event.target;
    if (!all.matches || !all.matches("input.select-all[data-select]")) {
      return;
    }
    var form = all.closest("form");
    form.querySelectorAll("input." + all.dataset.select).forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
