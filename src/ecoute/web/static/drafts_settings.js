// Settings › Drafts: when the sector changes, the words' placeholders show that sector's defaults.
(function () {
  var select = document.querySelector("[data-sector]");
  if (!select) return;
  select.addEventListener("change", function () {
    document.querySelectorAll("[data-word]").forEach(function (input) {
      var value = input.getAttribute("data-default-" + select.value);
      input.placeholder = value || "";
    });
  });
})();
