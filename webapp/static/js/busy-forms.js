/* Forms whose request takes a while (running scenarios, the impact, a deploy) say so: on submit
   the form's buttons are disabled — no double submit — and a progress bar with the form's
   data-busy text is shown until the next page arrives. Without JavaScript the form posts as is. */
(function () {
  'use strict';
  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.matches || !form.matches('form[data-busy]') || ev.defaultPrevented) { return; }
    if (form.getAttribute('data-busy-shown')) { ev.preventDefault(); return; }
    form.setAttribute('data-busy-shown', 'true');
    var box = document.createElement('div');
    box.className = 'busy';
    box.setAttribute('role', 'status');
    box.setAttribute('data-testid', 'busy');
    var bar = document.createElement('progress');
    var label = document.createElement('span');
    label.textContent = form.getAttribute('data-busy');
    box.appendChild(bar);
    box.appendChild(label);
    form.appendChild(box);
    setTimeout(function () {
      form.querySelectorAll('button').forEach(function (b) { b.disabled = true; });
    }, 0);
  });
}());
