// Settings › Drafts: when the sector changes, the words' placeholders show that sector's defaults,
// and a word that was only the previous sector's default is cleared (the new sector's applies).
(function () {
  var select = document.querySelector("[data-sector]");
  if (!select) return;
  var previous = select.value;
  select.addEventListener("change", function () {
    document.querySelectorAll("[data-word]").forEach(function (input) {
      if (input.value === input.getAttribute("data-default-" + previous)) input.value = "";
      input.placeholder = input.getAttribute("data-default-" + select.value) || "";
    });
    previous = select.value;
  });
})();
