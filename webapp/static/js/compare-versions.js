/* Two versions side by side (WaishiModeler.createViewer), with what the server's diff found
   marked: added elements on the new diagram, removed ones on the old, changed ones on both. */
(function () {
  'use strict';
  var box = document.getElementById('compare');
  var api = window.WaishiModeler;
  if (!box || !api || !window.fetch) { return; }
  function ids(name) { try { return JSON.parse(box.getAttribute(name) || '[]'); } catch (e) { return []; } }
  function show(container, url, marks) {
    var viewer = api.createViewer({ container: container });
    return window.fetch(url, { credentials: 'same-origin' }).then(function (r) { return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); }).then(function () {
        var canvas = viewer.get('canvas');
        var registry = viewer.get('elementRegistry');
        marks.forEach(function (m) { m[0].forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, m[1]); } }); });
        canvas.zoom('fit-viewport', 'auto');
        container.setAttribute('data-ready', 'true');
      });
  }
  var changed = ids('data-changed');
  show(document.getElementById('compare-old'), box.getAttribute('data-old'),
       [[ids('data-removed'), 'el-cancelled'], [changed, 'el-current']]);
  show(document.getElementById('compare-new'), box.getAttribute('data-new'),
       [[ids('data-added'), 'el-completed'], [changed, 'el-current']]);
}());
