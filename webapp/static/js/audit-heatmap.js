/* The heatmap on the bpmn-js viewer: a badge with the number of cases on every element and flow
   they passed, and each user task filled by its median time spent (heat-0 … heat-5). Without
   JavaScript the page shows the same heatmap drawn on the server (an <img>). */
(function () {
  'use strict';

  var box = document.getElementById('heatmap-diagram');
  if (!box || typeof window.BpmnJS !== 'function' || !window.fetch) { return; }

  function json(name) {
    try { return JSON.parse(box.getAttribute(name) || '{}') || {}; } catch (e) { return {}; }
  }
  var elements = json('data-elements');
  var flows = json('data-flows');
  var heat = json('data-heat');
  var FONT = 'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", ' +
             '"Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif';

  box.hidden = false;
  var viewer;
  try {
    viewer = new window.BpmnJS({ container: box, textRenderer: {
      defaultStyle: { fontFamily: FONT, fontSize: 12 }, externalStyle: { fontFamily: FONT, fontSize: 11 } } });
  } catch (e) { box.hidden = true; return; }

  function badge(text, cls) {
    var span = document.createElement('span');
    span.className = 'heat-badge ' + cls;
    span.textContent = String(text);
    return span;
  }

  window.fetch(box.getAttribute('data-diagram-url'), { credentials: 'same-origin' }).then(function (r) {
    if (!r.ok) { throw new Error('HTTP ' + r.status); }
    return r.text();
  }).then(function (xml) { return viewer.importXML(xml); }).then(function () {
    var registry = viewer.get('elementRegistry');
    var overlays = viewer.get('overlays');
    var canvas = viewer.get('canvas');
    Object.keys(elements).forEach(function (id) {
      var el = registry.get(id);
      if (!el || el.waypoints) { return; }
      overlays.add(id, 'heat', { position: { top: -8, right: 8 }, scale: { min: 1 },
                                 html: badge(elements[id], 'heat-badge-element') });
    });
    Object.keys(flows).forEach(function (id) {
      var el = registry.get(id);
      if (!el || !el.waypoints) { return; }
      var mid = el.waypoints[Math.floor(el.waypoints.length / 2)];
      var x = Math.min.apply(null, el.waypoints.map(function (p) { return p.x; }));
      var y = Math.min.apply(null, el.waypoints.map(function (p) { return p.y; }));
      overlays.add(id, 'heat', { position: { left: (mid.x - x) - 6, top: (mid.y - y) - 18 },
                                 scale: { min: 1 }, html: badge(flows[id], 'heat-badge-flow') });
      canvas.addMarker(id, 'flow-taken');
    });
    Object.keys(heat).forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, 'heat-' + Math.min(5, Math.floor(heat[id] * 5.999))); }
    });
    canvas.zoom('fit-viewport', 'auto');
    var img = document.getElementById('heatmap-static');
    if (img) { img.hidden = true; }
    box.setAttribute('data-ready', 'true');
  }).catch(function () { box.hidden = true; });
}());
