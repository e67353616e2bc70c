/* The auditor's step-by-step replay. The page works without this script (each step is a page,
   the diagram an <img> drawn on the server). With it: the bpmn-js viewer draws the case's
   pinned diagram once, and stepping (buttons, slider, ← → Home End) swaps in the step's panel,
   fetched from the server's cache of the re-executed case, and re-marks the diagram from the
   panel's data-markers: element states, flows taken so far, flows taken in this step. Panels
   already seen, and the neighbours of the current one, are kept, so stepping is instant. */
(function () {
  'use strict';

  var form = document.getElementById('stepper');
  var panelBox = document.querySelector('.replay-panel');
  if (!form || !panelBox || !window.fetch || !window.Promise || !window.DOMParser) { return; }

  var slider = document.getElementById('step-slider');
  var count = document.getElementById('step-count');
  var total = parseInt(slider.max, 10);
  var fragmentBase = form.getAttribute('data-fragment-url').replace(/\/0$/, '/');
  var svgBase = form.getAttribute('data-svg-url').replace(/\/0\/diagram\.svg$/, '/');
  var countTemplate = count.textContent.replace(/\d+/, '{k}');
  var cache = {};
  var current = parseInt(slider.value, 10);
  var viewer = null;
  var marked = [];

  var FONT = 'system-ui, -apple-system, "Segoe UI", "PingFang SC", "Hiragino Sans GB", ' +
             '"Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Zen Hei", sans-serif';

  function panel() { return document.getElementById('replay-step'); }

  function markers(el) {
    try { return JSON.parse(el.getAttribute('data-markers') || '{}') || {}; } catch (e) { return {}; }
  }

  function fetchStep(k) {
    if (cache[k]) { return cache[k]; }
    cache[k] = window.fetch(fragmentBase + k, { credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) { throw new Error('HTTP ' + r.status); }
      return r.text();
    }).then(function (html) {
      var doc = new window.DOMParser().parseFromString(html, 'text/html');
      return doc.getElementById('replay-step');
    });
    cache[k].catch(function () { delete cache[k]; });
    return cache[k];
  }

  function mark(m) {
    if (!viewer) { return; }
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    marked.forEach(function (pair) { canvas.removeMarker(pair[0], pair[1]); });
    marked = [];
    function add(id, cls) {
      if (registry.get(id)) { canvas.addMarker(id, cls); marked.push([id, cls]); }
    }
    var states = m.states || {};
    Object.keys(states).forEach(function (id) {
      if (/^(completed|current|cancelled)$/.test(states[id])) { add(id, 'el-' + states[id]); }
    });
    (m.flows || []).forEach(function (id) { add(id, 'flow-taken'); });
    (m.step_flows || []).forEach(function (id) { add(id, 'flow-step'); });
    (m.step_completed || []).forEach(function (id) { add(id, 'el-step'); });
    follow(m, registry, canvas);
    var box = document.getElementById('case-diagram');
    if (box) { box.setAttribute('data-step', String(current)); }
  }

  // Large diagrams are unreadable when fitted whole: follow the step instead, at a readable zoom,
  // keeping in view what is current after it (else what it completed).
  function follow(m, registry, canvas) {
    var states = m.states || {};
    var ids = Object.keys(states).filter(function (id) { return states[id] === 'current'; });
    if (!ids.length) { ids = m.step_completed || []; }
    var target = null;
    for (var i = 0; i < ids.length && !target; i++) {
      var el = registry.get(ids[i]);
      if (el && !el.waypoints && el.type !== 'bpmn:BoundaryEvent') { target = el; }
    }
    if (!target) { return; }
    if (canvas.zoom() < 0.7) { canvas.zoom(0.9); }
    canvas.scrollToElement(target, { top: 120, bottom: 120, left: 200, right: 200 });
  }

  function show(k) {
    k = Math.max(1, Math.min(total, k));
    current = k;
    slider.value = String(k);
    count.textContent = countTemplate.replace('{k}', String(k));
    var links = { first: 1, prev: Math.max(1, k - 1), next: Math.min(total, k + 1), last: total };
    Object.keys(links).forEach(function (name) {
      var a = form.querySelector('[data-go="' + name + '"]');
      if (a) { a.href = a.href.replace(/step=\d+/, 'step=' + links[name]); }
    });
    var img = document.getElementById('diagram-static');
    if (img && !viewer) { img.src = svgBase + k + '/diagram.svg'; }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, '', window.location.pathname + '?step=' + k);
    }
    return fetchStep(k).then(function (el) {
      if (current !== k || !el) { return; }
      panel().replaceWith(el);
      mark(markers(el));
      if (k > 1) { fetchStep(k - 1); }
      if (k < total) { fetchStep(k + 1); }
    }).catch(function () { window.location.href = window.location.pathname + '?step=' + k; });
  }

  form.addEventListener('click', function (ev) {
    var a = ev.target.closest('[data-go]');
    if (!a) { return; }
    ev.preventDefault();
    var go = a.getAttribute('data-go');
    show(go === 'first' ? 1 : go === 'last' ? total : go === 'prev' ? current - 1 : current + 1);
  });
  form.addEventListener('submit', function (ev) { ev.preventDefault(); show(parseInt(slider.value, 10)); });
  slider.addEventListener('input', function () { show(parseInt(slider.value, 10)); });
  document.addEventListener('keydown', function (ev) {
    var tag = (ev.target.tagName || '').toLowerCase();
    if ((tag === 'input' && ev.target !== slider) || tag === 'textarea' || tag === 'select' || ev.altKey ||
        ev.ctrlKey || ev.metaKey) { return; }
    var to = { ArrowLeft: current - 1, ArrowRight: current + 1, Home: 1, End: total }[ev.key];
    if (to === undefined) { return; }
    ev.preventDefault();
    show(to);
  });
  cache[current] = Promise.resolve(panel());

  var box = document.getElementById('case-diagram');
  if (!box || typeof window.BpmnJS !== 'function') { return; }
  box.hidden = false;
  try {
    viewer = new window.BpmnJS({ container: box, textRenderer: {
      defaultStyle: { fontFamily: FONT, fontSize: 12 }, externalStyle: { fontFamily: FONT, fontSize: 11 } } });
  } catch (e) { box.hidden = true; viewer = null; return; }
  window.fetch(box.getAttribute('data-diagram-url'), { credentials: 'same-origin' }).then(function (r) {
    if (!r.ok) { throw new Error('HTTP ' + r.status); }
    return r.text();
  }).then(function (xml) { return viewer.importXML(xml); }).then(function () {
    viewer.get('canvas').zoom('fit-viewport', 'auto');
    var img = document.getElementById('diagram-static');
    if (img) { img.hidden = true; }
    mark(markers(panel()));
    box.setAttribute('data-ready', 'true');
  }).catch(function () {
    box.hidden = true;
    viewer = null;
  });
}());
