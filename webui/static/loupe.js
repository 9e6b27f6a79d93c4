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

  // The sort select applies itself when chosen with the mouse, or with Enter; arrow keys
  // only move the choice (WCAG 3.2.2: no change of context on a mere change of value), and
  // bring the button back so that the choice can be applied.
  var form = document.querySelector("[data-sort-form]");
  if (form) {
    var select = form.querySelector("select");
    var button = form.querySelector("[data-sort-button]");
    var byKeyboard = false;
    if (button) button.hidden = true;
    if (select) {
      select.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          form.submit();
        } else if (event.key !== "Tab") {
          byKeyboard = true;
        }
      });
      select.addEventListener("pointerdown", function () {
        byKeyboard = false;
      });
      select.addEventListener("change", function () {
        if (byKeyboard) {
          if (button) button.hidden = false;
          return;
        }
        form.submit();
      });
    }
  }

  // The filters are a <details>, open as sent (a sidebar on wide screens); a phone shows
  // them closed ("Filtres (n)") above the results, except when the page comes back from
  // a facet link (#f-…): the user is then where they were, in the open filters.
  var filters = document.querySelector("[data-filters]");
  if (filters && window.matchMedia("(max-width: 50rem)").matches) {
    var target = location.hash && document.getElementById(location.hash.slice(1));
    if (!(target && filters.contains(target))) filters.open = false;
  }

  // A filter box narrows a long facet list as one types; in the person group, Enter
  // still asks the server, which searches every name, not only those on the page.
  Array.prototype.forEach.call(document.querySelectorAll("[data-facet-filter]"), function (box) {
    var group = box.closest(".facet-group");
    var input = box.querySelector("input[type=search]");
    if (!group || !input) return;
    box.hidden = false;
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
  // Histograms: hovering or focusing a bar says its count in words under the chart, and
  // dragging across bars fills the from/to form with their first and last days and sends
  // it (the form is the path without JavaScript). A plain click still follows the bar.
  var datesForm = document.querySelector("[data-dates-form]");
  Array.prototype.forEach.call(document.querySelectorAll("[data-drag-select]"), function (svg) {
    var figure = svg.closest("figure");
    var readout = figure && figure.querySelector("[data-readout]");
    var help = document.querySelector("[data-drag-help]");
    if (help && datesForm) help.hidden = false;
    var slots = Array.prototype.slice.call(svg.querySelectorAll("[data-start]"));
    function say(slot) {
      if (!readout || !slot) return;
      var title = slot.querySelector("title");
      readout.textContent = title ? title.textContent : "";
      readout.hidden = !readout.textContent;
    }
    svg.addEventListener("mouseover", function (event) { say(event.target.closest("[data-start]")); });
    svg.addEventListener("focusin", function (event) { say(event.target.closest("[data-start]")); });
    svg.addEventListener("dragstart", function (event) { event.preventDefault(); });
    if (!datesForm) return;
    var from = null, to = null, dragged = false;
    function slotAt(event) {
      var hit = document.elementFromPoint(event.clientX, event.clientY);
      var slot = hit && hit.closest("[data-start]");
      return slot && svg.contains(slot) ? slots.indexOf(slot) : -1;
    }
    function paint() {
      var lo = Math.min(from, to), hi = Math.max(from, to);
      slots.forEach(function (slot, i) { slot.classList.toggle("is-dragged", dragged && i >= lo && i <= hi); });
    }
    svg.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      var at = slotAt(event);
      if (at < 0) return;
      from = to = at;
      dragged = false;
    });
    svg.addEventListener("pointermove", function (event) {
      if (from === null) return;
      var at = slotAt(event);
      if (at < 0 || at === to) return;
      to = at;
      dragged = to !== from;
      if (dragged && svg.setPointerCapture) svg.setPointerCapture(event.pointerId);
      paint();
      var lo = slots[Math.min(from, to)], hi = slots[Math.max(from, to)];
      if (readout) {
        readout.textContent = "Du " + lo.getAttribute("data-start") + " au " + hi.getAttribute("data-end");
        readout.hidden = false;
      }
    });
    function finish(event) {
      if (from === null) return;
      var lo = Math.min(from, to), hi = Math.max(from, to);
      var wasDragged = dragged;
      from = to = null;
      if (!wasDragged || event.type === "pointercancel") { dragged = false; paint(); return; }
      datesForm.querySelector("[name=depuis]").value = slots[lo].getAttribute("data-start");
      datesForm.querySelector("[name=jusqu_au]").value = slots[hi].getAttribute("data-end");
      datesForm.submit();
    }
    svg.addEventListener("pointerup", finish);
    svg.addEventListener("pointercancel", finish);
    // The click that ends a drag must not also follow the bar it ends on.
    svg.addEventListener("click", function (event) {
      if (dragged) event.preventDefault();
    }, true);
  });
})();
