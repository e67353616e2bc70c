/* The draft page's editors: the bpmn-js modeler (properties panel, lint, token simulation), the
   dmn-js decision-table editor and the form-js editor, from the bundle built by `make vendor`
   (global WaishiModeler). The file's text stays in the page's <textarea>, which is what the form
   posts: saving writes the editor's XML or JSON into it first. Without JavaScript or the bundle,
   the textarea is the editor. Validation problems select and mark their element; the elements a
   draft changes (its impact) are marked too; a scenario's "show path" marks the elements it
   completed and the flows it took. */
(function () {
  'use strict';

  var box = document.getElementById('editor');
  var source = document.querySelector('textarea[data-editor-source]');
  var form = document.getElementById('file-form');
  var api = window.WaishiModeler;
  if (!box || !source || !form || !api) { return; }

  var kind = box.getAttribute('data-kind');
  var lang = box.getAttribute('data-lang') || 'zh';
  var canvasBox = document.getElementById('editor-canvas');
  var panelBox = document.getElementById('editor-panel');
  var editor = null;
  var ready = false;

  function hideText() {
    source.hidden = true;
    var label = document.querySelector('label[for="content"]');
    if (label) { label.hidden = true; }
  }

  function fail(err) {
    box.hidden = true;
    source.hidden = false;
    var note = document.createElement('p');
    note.className = 'flash flash-error';
    note.textContent = String(err && err.message || err);
    box.parentNode.insertBefore(note, box);
  }

  function save() {
    if (kind === 'form') {
      return Promise.resolve(JSON.stringify(editor.saveSchema(), null, 2));
    }
    return editor.saveXML({ format: true }).then(function (r) { return r.xml; });
  }

  try {
    if (kind === 'bpmn') {
      editor = api.createModeler({ container: canvasBox, propertiesParent: panelBox, locale: lang });
      editor.importXML(source.value).then(function () {
        editor.get('canvas').zoom('fit-viewport', 'auto');
        ready = true;
        hideText();
        box.setAttribute('data-ready', 'true');
        markProblems();
      }).catch(fail);
    } else if (kind === 'dmn') {
      panelBox.hidden = true;
      editor = api.createDmnEditor({ container: canvasBox, locale: lang });
      editor.importXML(source.value).then(function () {
        ready = true;
        hideText();
        box.setAttribute('data-ready', 'true');
      }).catch(fail);
    } else if (kind === 'form') {
      panelBox.hidden = true;
      editor = api.createFormEditor({ container: canvasBox, locale: lang });
      editor.importSchema(JSON.parse(source.value)).then(function () {
        ready = true;
        hideText();
        box.setAttribute('data-ready', 'true');
      }).catch(fail);
    }
  } catch (e) { fail(e); return; }

  var submitting = false;
  form.addEventListener('submit', function (ev) {
    if (!ready || submitting) { return; }
    ev.preventDefault();
    save().then(function (text) {
      source.value = text;
      submitting = true;
      form.submit();
    }).catch(fail);
  });

  function diagram() { return kind === 'bpmn' && ready ? editor : null; }

  function markProblems() {
    var m = diagram();
    if (!m) { return; }
    var registry = m.get('elementRegistry');
    var canvas = m.get('canvas');
    document.querySelectorAll('.problem[data-element]').forEach(function (li) {
      var id = li.getAttribute('data-element');
      if (id && registry.get(id)) { canvas.addMarker(id, 'problem-marker'); }
    });
    var impact = document.querySelector('[data-testid="draft-impact"]');
    var touched = [];
    try { touched = JSON.parse(impact ? impact.getAttribute('data-touched') || '[]' : '[]'); } catch (e) { touched = []; }
    touched.forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, 'impact-marker'); } });
  }

  document.addEventListener('click', function (ev) {
    var link = ev.target.closest('.select-element');
    var m = diagram();
    if (link && m) {
      var el = m.get('elementRegistry').get(link.getAttribute('data-element'));
      if (el) {
        ev.preventDefault();
        m.get('selection').select(el);
        m.get('canvas').scrollToElement(el);
        box.scrollIntoView({ behavior: 'smooth', block: 'start' });
      }
    }
    var show = ev.target.closest('.show-path');
    if (show && m) {
      var row = show.closest('.scenario-run');
      var path = {};
      try { path = JSON.parse(row.getAttribute('data-path') || '{}'); } catch (e) { path = {}; }
      var registry = m.get('elementRegistry');
      var canvas = m.get('canvas');
      registry.getAll().forEach(function (el) {
        canvas.removeMarker(el.id, 'el-path');
        canvas.removeMarker(el.id, 'flow-taken');
      });
      (path.elements || []).forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, 'el-path'); } });
      (path.flows || []).forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, 'flow-taken'); } });
      box.setAttribute('data-path-of', row.getAttribute('data-scenario'));
      box.scrollIntoView({ behavior: 'smooth', block: 'start' });
    }
  });
  if (kind === 'bpmn') {
    document.querySelectorAll('.show-path').forEach(function (b) { b.hidden = false; });
  }
}());
