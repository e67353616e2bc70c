/* The case's diagram on the case and task pages: the bpmn-js navigated viewer (global BpmnJS,
   loaded before this file from static/vendor) draws the pinned version's BPMN, fetched from the
   same origin, and marks each element with the state the server derived from the record
   (data-states: {"element id": "completed" | "current" | "cancelled"}).

   An enhancement only: without JavaScript, without the vendor bundle, or when anything fails,
   the container stays hidden and the page's text list of states says the same. */
(function () {
  'use strict';

  var box = document.getElementById('case-diagram');
  if (!box || typeof window.BpmnJS !== 'function' || !window.fetch || !window.Promise) {
    return;
  }

  // Chinese labels are measured and drawn with the system's fonts (no web font is shipped):
  // the same list as the page's own font stack.
  var FONT = 'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", ' +
             '"Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif';

  var states = {};
  try {
    states = JSON.parse(box.getAttribute('data-states') || '{}') || {};
  } catch (e) {
    states = {};
  }

  function fail() {
    box.hidden = true;
    var legend = document.getElementById('diagram-legend');
    if (legend) { legend.hidden = true; }
    var note = document.createElement('p');
    note.className = 'muted small diagram-failed';
    note.textContent = box.getAttribute('data-failed') || '';
    box.parentNode.insertBefore(note, box);
  }

  box.hidden = false;
  var viewer;
  try {
    viewer = new window.BpmnJS({
      container: box,
      textRenderer: {
        defaultStyle: { fontFamily: FONT, fontSize: 12 },
        externalStyle: { fontFamily: FONT, fontSize: 11 }
      }
    });
  } catch (e) {
    fail();
    return;
  }

  window.fetch(box.getAttribute('data-diagram-url'), {
    credentials: 'same-origin',
    headers: { 'Accept': 'application/xml' }
  }).then(function (response) {
    if (!response.ok) { throw new Error('HTTP ' + response.status); }
    return response.text();
  }).then(function (xml) {
    return viewer.importXML(xml);
  }).then(function () {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    Object.keys(states).forEach(function (id) {
      var state = states[id];
      if (registry.get(id) && /^(completed|current|cancelled)$/.test(state)) {
        canvas.addMarker(id, 'el-' + state);
      }
    });
    canvas.zoom('fit-viewport', 'auto');
    box.setAttribute('data-ready', 'true');
    var legend = document.getElementById('diagram-legend');
    if (legend) { legend.hidden = false; }
  }).catch(fail);
}());
