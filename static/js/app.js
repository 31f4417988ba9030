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
