// The analyst's workspace in the browser: BPMN modeler (Camunda 7 properties, token simulation,
// lint with Waishi's own rules, Chinese UI), DMN decision-table editor, form-js form editor,
// semantic diff and a read-only viewer for side-by-side compare.
//
// Bundled by webapp/assets/build.mjs with esbuild into webapp/static/vendor/modeler/waishi-modeler.js,
// an IIFE that defines the global `WaishiModeler`. Nothing here talks to the server: the page loads
// the XML/JSON, calls these functions and posts the results back itself.
//
// The bpmn.io watermark that bpmn-js, dmn-js and form-js draw is part of their licence: keep it
// visible, never hide or cover it with CSS.

import BpmnModeler from 'bpmn-js/lib/Modeler';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule
} from 'bpmn-js-properties-panel';
import CamundaBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-platform';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';
import TokenSimulationModule from 'bpmn-js-token-simulation';
import LintModule from 'bpmn-js-bpmnlint';
import { BpmnModdle } from 'bpmn-moddle';
import { diff as bpmnDiff } from 'bpmn-js-differ';
import DmnModeler from 'dmn-js/lib/Modeler';
import { FormEditor } from '@bpmn-io/form-js';

// A virtual module made by build.mjs: webapp/assets/.bpmnlintrc (bpmnlint:recommended +
// plugin:waishi) compiled with bpmnlint's compile-config, each enabled rule imported.
import bpmnlintConfig from 'waishi:bpmnlint-config';
import { BPMN_ZH, DMN_ZH, makeTranslate, missingTranslations } from './i18n-zh.js';
import { FORM_ZH, TOKEN_SIMULATION_ZH, localizeDom } from './dom-i18n.js';

/* global __WAISHI_VERSIONS__ */

const isChinese = (locale) => !locale || /^zh/i.test(String(locale));

function translateModule(dictionary, scope) {
  return { translate: [ 'value', makeTranslate(dictionary, scope) ] };
}

// Files written by hand or by a generator often omit <bpmn:incoming>/<bpmn:outgoing>; bpmn-js
// draws them from sourceRef/targetRef, but lint rules (no-implicit-start, no-disconnected, …) and
// the properties panel read the business objects' incoming/outgoing lists. Fill those in from the
// flows when a diagram is read, as modeling would have; the next saveXML writes them.
function FlowRefs(eventBus) {
  eventBus.on('import.parse.complete', ({ elementsById }) => {
    if (!elementsById) {
      return;
    }
    for (const element of Object.values(elementsById)) {
      if (!element || !element.$instanceOf || !element.$instanceOf('bpmn:SequenceFlow')) {
        continue;
      }
      const { sourceRef, targetRef } = element;
      if (sourceRef && sourceRef.$instanceOf('bpmn:FlowNode')) {
        const outgoing = sourceRef.get('outgoing');
        if (!outgoing.includes(element)) {
          outgoing.push(element);
        }
      }
      if (targetRef && targetRef.$instanceOf('bpmn:FlowNode')) {
        const incoming = targetRef.get('incoming');
        if (!incoming.includes(element)) {
          incoming.push(element);
        }
      }
    }
  });
}
FlowRefs.$inject = [ 'eventBus' ];
const FlowRefsModule = { __init__: [ 'waishiFlowRefs' ], waishiFlowRefs: [ 'type', FlowRefs ] };

/**
 * The BPMN modeler: bpmn-js Modeler with the properties panel (BPMN + Camunda 7 providers), the
 * Camunda behaviors, token simulation, bpmnlint (rules compiled in at build time, linting on) and,
 * for a Chinese locale, the Chinese UI.
 *
 * @param {{ container: Element|string, propertiesParent?: Element|string, locale?: string }} options
 *   locale: 'zh' (the default; anything starting with "zh") or e.g. 'en'.
 * @return {BpmnModeler} call `await modeler.importXML(xml)`, then `modeler.saveXML({ format: true })`.
 */
export function createModeler({ container, propertiesParent, locale } = {}) {
  const additionalModules = [
    FlowRefsModule,
    BpmnPropertiesPanelModule,
    BpmnPropertiesProviderModule,
    CamundaPlatformPropertiesProviderModule,
    CamundaBehaviorsModule,
    TokenSimulationModule,
    LintModule
  ];
  if (isChinese(locale)) {
    additionalModules.push(translateModule(BPMN_ZH, 'bpmn'));
  }
  const modeler = new BpmnModeler({
    container,
    propertiesPanel: propertiesParent ? { parent: propertiesParent } : undefined,
    linting: { bpmnlint: bpmnlintConfig, active: true },
    additionalModules,
    moddleExtensions: { camunda: camundaModdle }
  });
  if (isChinese(locale)) {
    // token simulation writes its English into the DOM (no translate service)
    localizeDom(modeler.get('canvas').getContainer(), TOKEN_SIMULATION_ZH);
  }
  return modeler;
}

/**
 * A read-only, navigable diagram (zoom, scroll) for side-by-side compare.
 *
 * @param {{ container: Element|string }} options
 * @return {NavigatedViewer} call `await viewer.importXML(xml)`.
 */
export function createViewer({ container } = {}) {
  return new NavigatedViewer({
    container,
    additionalModules: [ FlowRefsModule ],
    moddleExtensions: { camunda: camundaModdle }
  });
}

/**
 * The DMN editor (dmn-js Modeler: decision tables, literal expressions, DRD), Chinese where
 * dmn-js translates (the decision table's menus, hit policy, context menus, DRD palette).
 *
 * @param {{ container: Element|string, locale?: string }} options
 * @return {DmnModeler} call `await editor.importXML(xml)`; a file with one decision table opens on
 *   the table (`editor.getActiveView().type === 'decisionTable'`).
 */
export function createDmnEditor({ container, locale } = {}) {
  // Per view: dmn-js's `common` options cannot carry modules (each view's additionalModules replace them).
  const options = { container };
  if (isChinese(locale)) {
    for (const view of [ 'drd', 'decisionTable', 'literalExpression', 'boxedExpression' ]) {
      options[view] = { additionalModules: [ translateModule(DMN_ZH, 'dmn') ] };
    }
  }
  return new WaishiDmnModeler(options);
}

// dmn-js opens the DRD first whenever the file has one (DMNDI); ours open on the decision table
// when there is exactly one ("View DRD" in the table leads back to the diagram).
class WaishiDmnModeler extends DmnModeler {
  _getInitialView(views, preferredView) {
    const tables = views.filter((view) => view.type === 'decisionTable');
    if (!preferredView && tables.length === 1) {
      return tables[0];
    }
    return super._getInitialView(views, preferredView);
  }
}

/**
 * The form editor (form-js FormEditor: palette, canvas, properties) for forms/*.form (Camunda Forms).
 *
 * form-js has no translate service: for a Chinese locale its palette and properties panel are
 * rewritten in the DOM (dom-i18n.js); the form's own fields are left as the analyst wrote them.
 *
 * @param {{ container: Element|string, locale?: string }} options
 * @return {FormEditor} call `await editor.importSchema(schema)`, then `editor.saveSchema()`.
 */
export function createFormEditor({ container, locale } = {}) {
  const editor = new FormEditor({ container });
  if (isChinese(locale)) {
    const root = typeof container === 'string' ? document.querySelector(container) : container;
    if (root) {
      localizeDom(root, FORM_ZH, '.fjs-form-field, .fjs-form-field-label');
    }
  }
  return editor;
}

/**
 * Semantic diff of two BPMN files (bpmn-js-differ on bpmn-moddle with the camunda extension).
 *
 * @param {string} oldXml
 * @param {string} newXml
 * @return {Promise<{ added: Item[], removed: Item[], changed: Changed[], layoutChanged: Item[] }>}
 *   Item = { id, type, name } (added, changed, layoutChanged: as in newXml; removed: as in oldXml);
 *   Changed = Item & { properties: string[], attrs: { [property]: { oldValue, newValue } } }, values
 *   as plain JSON (a model element becomes its id, a reference the differ's "#ref:<id>").
 *   Lists are in the differ's order; layoutChanged holds elements whose DI (shape, waypoints) changed.
 */
export async function diff(oldXml, newXml) {
  const moddle = new BpmnModdle({ camunda: camundaModdle });
  const [ before, after ] = await Promise.all([
    moddle.fromXML(oldXml, 'bpmn:Definitions'),
    moddle.fromXML(newXml, 'bpmn:Definitions')
  ]);
  const result = bpmnDiff(before.rootElement, after.rootElement);
  const item = (id, element) => ({
    id,
    type: (element && element.$type) || null,
    name: (element && typeof element.name === 'string') ? element.name : null
  });
  const items = (map) => Object.entries(map || {}).map(([ id, element ]) => item(id, element));
  const changed = Object.entries(result._changed || {}).map(([ id, { model, attrs } ]) => {
    const plainAttrs = {};
    // bpmn-js-differ 3.2 hands jsondiffpatch's [old, new] to ChangeHandler#changed(model, property,
    // newValue, oldValue), so its attrs carry the two the wrong way round: swapped back here
    // (tests/browser/test_vendor_bundle.py checks the old name comes out as oldValue).
    for (const [ property, { oldValue: after, newValue: before } ] of Object.entries(attrs || {})) {
      plainAttrs[property] = { oldValue: plain(before), newValue: plain(after) };
    }
    return { ...item(id, model), properties: Object.keys(plainAttrs), attrs: plainAttrs };
  });
  return {
    added: items(result._added),
    removed: items(result._removed),
    changed,
    layoutChanged: items(result._layoutChanged)
  };
}

function plain(value, depth = 0) {
  if (value === null || value === undefined || typeof value !== 'object') {
    return value === undefined ? null : value;
  }
  if (Array.isArray(value)) {
    return value.map((v) => plain(v, depth + 1));
  }
  if (value.$type) {
    if (value.id) {
      return value.id;
    }
    if (depth > 2) {
      return value.$type;
    }
    const out = { $type: value.$type };
    for (const key of Object.keys(value)) {
      if (!key.startsWith('$')) {
        out[key] = plain(value[key], depth + 1);
      }
    }
    return out;
  }
  return JSON.parse(JSON.stringify(value));
}

/** The compiled lint configuration ({ config: { rules }, resolver }), for pages that lint on their own. */
export const lintConfig = bpmnlintConfig;

/** Chinese dictionaries and the strings asked for that have no entry (filled while a page runs). */
export const i18n = { bpmn: BPMN_ZH, dmn: DMN_ZH, missing: missingTranslations };

/** The npm packages' versions in the bundle (set by build.mjs from node_modules). */
export const versions = __WAISHI_VERSIONS__;
