/* The loader's owner pickers use the admin's select2 autocomplete. select2 leaves its search field
   without a label and puts other elements inside its list; give the field its picker's label and
   the list a neutral role, so that screen readers (and axe) read the pickers as one labelled box. */
(function () {
  function labelPickers() {
    document.querySelectorAll(".select2-container").forEach(function (container) {
      var select = container.previousElementSibling;
      var label = select && select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
      var name = label ? label.textContent.replace(/[:：]\s*$/, "").trim() : "";
      container.querySelectorAll(".select2-search__field").forEach(function (field) {
        if (name) { field.setAttribute("aria-label", name); }
      });
      container.querySelectorAll("ul.select2-selection__rendered").forEach(function (list) {
        list.setAttribute("role", "presentation");
        Array.prototype.forEach.call(list.children, function (child) { child.setAttribute("role", "presentation"); });
      });
    });
  }
  window.addEventListener("load", function () {
    labelPickers();
    new MutationObserver(labelPickers).observe(document.body, { childList: true, subtree: true });
  });
})();
