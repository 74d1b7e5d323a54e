/* The commitment list's filter panel is a <details>: folded on phones and narrow windows (the list
   comes first, the summary says how many filters are active), opened where it fits beside the list.
   Without JavaScript it simply stays folded, one click away. Loaded right after the panel, so the
   page is drawn once, already open. */
(function () {
  var panel = document.getElementById("filters");
  if (panel && window.matchMedia("(min-width: 75em)").matches) { panel.open = true; }
})();
