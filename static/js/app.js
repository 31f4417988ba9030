// Keep the language switch's "next" field on the URL htmx pushed, so switching language
// keeps the page's filters.
(function () {
  "use strict";

  function currentUrlIntoLanguageSwitch() {
    document.querySelectorAll(".language-switch input[name=next]").forEach(function (input) {
      input.value = window.location.pathname + window.location.search;
    });
  }

  document.addEventListener("htmx:pushedIntoHistory", currentUrlIntoLanguageSwitch);
  document.addEventListener("htmx:replacedInHistory", currentUrlIntoLanguageSwitch);
})();

// An htmx update that fails leaves the page as it was (htmx swaps nothing on a 4xx/5xx or a
// network error): say so, in the page's language (the texts are on #update-error), until the
// next update succeeds, and put the filters back to what the page shows.
(function () {
  "use strict";

  function box() {
    return document.getElementById("update-error");
  }

  function showUpdateError(event) {
    var element = box();
    if (!element) {
      return;
    }
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (event.type === "htmx:sendError" || !status) {
      element.textContent = element.dataset.offline;
    } else if (status === 503) {
      element.textContent = element.dataset.unavailable;
    } else {
      element.textContent = element.dataset.failed + " (HTTP " + status + ")";
    }
    element.hidden = false;
    restoreFilters(event.detail.elt);
  }

  // The filter form still shows the choice that failed: put its selects back to what the page
  // shows, which is what the URL says (htmx pushes the URL only after a successful update).
  function restoreFilters(form) {
    if (!form || form.tagName !== "FORM") {
      return;
    }
    var shown = new URLSearchParams(window.location.search);
    form.querySelectorAll("select[name]").forEach(function (select) {
      if (shown.has(select.name)) {
        select.value = shown.get(select.name);
        return;
      }
      // Not in the URL: the page still shows what it was rendered with.
      var rendered = Array.prototype.find.call(select.options, function (option) {
        return option.defaultSelected;
      }) || select.options[0];
      select.value = rendered ? rendered.value : "";
    });
  }

  function hideUpdateError() {
    var element = box();
    if (element) {
      element.hidden = true;
    }
  }

  document.addEventListener("htmx:responseError", showUpdateError);
  document.addEventListener("htmx:sendError", showUpdateError);
  document.addEventListener("htmx:afterSwap", hideUpdateError);
})();
