// Behaviour every page shares, kept out of the HTML so the Content-Security-Policy can refuse
// inline script: a form with data-confirm asks before it is sent (e.g. deleting a rule).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target.closest ? event.target.closest("form[data-confirm]") : null;
    if (form && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
