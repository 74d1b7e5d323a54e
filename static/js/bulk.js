/* Bulk actions (the commitment list's bulk form, the review queue's "accept the ticked"): ticking
   every row of the page at once, a count of the rows ticked, and on the list only the field the
   chosen change needs. Everything works without it: every field shows and the rows are ticked
   one by one. Texts come from the form's data- attributes, translated by the template. */
(function () {
  var form = document.getElementById("bulk-form");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("input[data-bulk-row]"));
  var pageBoxes = Array.prototype.slice.call(document.querySelectorAll("input[data-bulk-page]"));
  var counters = Array.prototype.slice.call(document.querySelectorAll("[data-bulk-count]"));
  var scopeSelected = form.querySelector("input[name=scope][value=selected]");
  var scopeAll = form.querySelector("input[name=scope][value=all]");

  // The list's panel: open on wide screens; on phones folded until asked for (or rows ticked, below).
  var panel = document.getElementById("bulk-panel");
  if (panel && window.matchMedia("(min-width: 56.25em)").matches) { panel.open = true; }
  Array.prototype.forEach.call(document.querySelectorAll("[data-bulk-jump]"), function (jump) {
    jump.addEventListener("click", function () { if (panel) { panel.open = true; } });
  });

  function ticked() { return rows.filter(function (box) { return box.checked; }).length; }

  function refresh() {
    var count = ticked();
    counters.forEach(function (counter) { counter.textContent = String(count); });
    Array.prototype.forEach.call(document.querySelectorAll("[data-bulk-jump]"), function (jump) { jump.hidden = count === 0; });
    pageBoxes.forEach(function (box) {
      box.checked = rows.length > 0 && count === rows.length;
      box.indeterminate = count > 0 && count < rows.length;
    });
  }

  pageBoxes.forEach(function (box) {
    box.closest("[hidden]") && box.closest("[hidden]").removeAttribute("hidden");
    if (!rows.length) { box.disabled = true; }
    box.addEventListener("change", function () {
      rows.forEach(function (row) { row.checked = box.checked; });
      if (box.checked && scopeSelected) { scopeSelected.checked = true; }
      refresh();
    });
  });
  rows.forEach(function (row) {
    row.addEventListener("change", function () {
      if (row.checked && scopeSelected) { scopeSelected.checked = true; }
      refresh();
    });
  });

  // The list: show only the field of the chosen change.
  var action = form.querySelector("select[name=action]");
  var FIELD_OF_ACTION = { lead: "lead_organisation", add_supporting: "supporting_organisations",
    replace_supporting: "supporting_organisations", due_on: "due_on", cycle: "cycle" };
  function showField() {
    if (!action) { return; }
    var wanted = FIELD_OF_ACTION[action.value];
    Array.prototype.forEach.call(form.querySelectorAll("[data-bulk-for]"), function (element) {
      element.hidden = element.getAttribute("data-bulk-for") !== wanted;
    });
  }
  if (action) { action.addEventListener("change", showField); showField(); }

  form.addEventListener("submit", function (event) {
    var all = scopeAll && scopeAll.checked;
    if (!all && ticked() === 0) {
      event.preventDefault();
      window.alert(form.getAttribute("data-none-ticked"));
      return;
    }
    if (all && form.getAttribute("data-confirm-all") && !window.confirm(form.getAttribute("data-confirm-all"))) {
      event.preventDefault();
    }
  });
  refresh();
})();
