/* Country and nationality selects (data-typeahead) gain a search box: typing 德, deguo, dg, de or
   germany narrows the list to the matching countries and regions and opens it as a list box; the
   select stays the form's field, so the page works the same without JavaScript. */
(function () {
  'use strict';
  function norm(text) { return (text || '').toLowerCase().replace(/[\s,，]+/g, ''); }

  function matches(option, query) {
    if (!query) { return true; }
    if (norm(option.textContent).indexOf(query) >= 0) { return true; }
    var words = (option.getAttribute('data-keywords') || '').toLowerCase().split(' ');
    for (var i = 0; i < words.length; i++) {
      if (words[i].replace(/,/g, '').indexOf(query) === 0) { return true; }
    }
    return norm(option.getAttribute('data-keywords')).indexOf(query) >= 0;
  }

  function filter(select, query) {
    var shown = 0, first = null;
    Array.prototype.forEach.call(select.querySelectorAll('optgroup'), function (group) {
      var any = false;
      Array.prototype.forEach.call(group.querySelectorAll('option'), function (option) {
        var ok = matches(option, query);
        option.hidden = !ok;
        if (ok) { any = true; shown++; if (!first) { first = option; } }
      });
      group.hidden = !any;
    });
    if (query) {
      select.size = Math.max(2, Math.min(8, shown + 1));
      if (first && (!select.value || select.options[select.selectedIndex].hidden)) {
        first.selected = true;
      }
    } else {
      select.removeAttribute('size');
    }
    return shown;
  }

  function enhance(select) {
    var box = document.createElement('input');
    box.type = 'search';
    box.className = 'typeahead';
    box.placeholder = select.getAttribute('data-typeahead');
    box.setAttribute('aria-label', box.placeholder);
    box.setAttribute('aria-controls', select.id);
    box.setAttribute('data-typeahead-for', select.id);
    var status = document.createElement('span');
    status.className = 'typeahead-status visually-hidden';
    status.setAttribute('aria-live', 'polite');
    box.addEventListener('input', function () {
      var n = filter(select, norm(box.value));
      status.textContent = String(n);
    });
    box.addEventListener('keydown', function (ev) {
      if (ev.key === 'Enter') { ev.preventDefault(); box.value = ''; filter(select, ''); select.focus(); }
      if (ev.key === 'ArrowDown') { ev.preventDefault(); select.focus(); }
    });
    select.addEventListener('change', function () {
      if (box.value) { box.value = ''; filter(select, ''); }
    });
    select.parentNode.insertBefore(box, select);
    select.parentNode.insertBefore(status, select.nextSibling);
  }

  document.addEventListener('DOMContentLoaded', function () {
    Array.prototype.forEach.call(document.querySelectorAll('select[data-typeahead]'), enhance);
  });
}());
