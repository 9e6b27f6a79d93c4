// Loupe: small enhancements only. Every page works without this file (plain links and
// GET forms); it is loaded from 'self' because the CSP forbids inline scripts.
(function () {
  "use strict";

  function isTyping(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
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
})();
