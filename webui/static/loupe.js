// Loupe: small enhancements only. Every page works without this file (plain links and
// GET forms); it is loaded from 'self' because the CSP forbids inline scripts.
(function () {
  "use strict";

  function isTyping(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  // Case- and accent-insensitive, like the server's facet matching ("tokaiev" finds Tokaïev).
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  // "/" focuses the search box, as on many search sites.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    var box = document.querySelector("[data-search-box]");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  // The sort select applies itself; its button is only needed without JavaScript.
  var form = document.querySelector("[data-sort-form]");
  if (form) {
    var select = form.querySelector("select");
    var button = form.querySelector("[data-sort-button]");
    if (button) button.hidden = true;
    if (select) {
      select.addEventListener("change", function () {
        form.submit();
      });
    }
  }

  // The person filter box narrows the list shown as one types; Enter still asks the
  // server, which searches every name, not only those on the page.
  Array.prototype.forEach.call(document.querySelectorAll("[data-facet-filter]"), function (box) {
    var group = box.closest(".facet-group");
    var input = box.querySelector("input[type=search]");
    if (!group || !input) return;
    var items = group.querySelectorAll(".facet-list li");
    var more = group.querySelector("details.facet-more");
    var empty = group.querySelector("[data-filter-empty]");
    input.addEventListener("input", function () {
      var needle = fold(input.value);
      var shown = 0;
      Array.prototype.forEach.call(items, function (li) {
        var label = li.querySelector(".facet-label");
        var hit = !needle || fold(label ? label.textContent : li.textContent).indexOf(needle) !== -1;
        li.hidden = !hit;
        if (hit) shown += 1;
      });
      if (more && needle) more.open = true;
      if (empty) empty.hidden = shown > 0 || !needle;
    });
  });
})();
