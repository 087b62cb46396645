// The configuration panel: the selected node's settings and the form generated from its type's parameters, with
// required marks, defaults, descriptions, expression help and the validator's problems beside their fields.
import {h} from './dom.js';
import {on} from './events.js';
import {controlFor} from './fields.js';
import {suggestionsFor} from './expressions.js';
import {typeOf, branchesOf, hasMainOutput} from './registry.js';
import {state, mutate, changed, nodeById, select} from './state.js';
import {connect, deleteSelection} from './canvas.js';
import {showPanel} from './tabs.js';

const panel = () => document.getElementById('panel-config');
const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
let selfEdit = false;
let lastEdit = {key: null, at: 0};

export function initConfigPanel() {
  on('selection', () => render());
  on('open-config', () => showPanel('config'));
  on('loaded', () => render());
  on('preview', () => render());
  on('doc', () => { if (!selfEdit) render(); });
  on('problems', showProblems);
  render();
}

/** Changes the document from the panel; keystrokes in one field within a moment make one undo step. */
function edit(key, change) {
  const now = Date.now();
  selfEdit = true;
  try {
    if (lastEdit.key === key && now - lastEdit.at < 1500) {
      change(state.doc);
      changed();
    } else {
      mutate(change);
    }
  } finally {
    selfEdit = false;
  }
  lastEdit = {key, at: now};
}

function render() {
  const root = panel();
  if (state.preview) {
    root.replaceChildren(h('p', {class: 'muted'}, 'A proposal is shown on the canvas. Accept or discard it in the Designer tab.'));
    return;
  }
  const ids = [...state.selection];
  if (ids.length === 1 && nodeById(ids[0])) return root.replaceChildren(...nodeForm(nodeById(ids[0])));
  if (ids.length > 1) {
    return root.replaceChildren(h('h2', {}, `${ids.length} nodes selected`),
      h('p', {class: 'muted'}, ids.join(', ')),
      h('button', {type: 'button', class: 'danger', onclick: deleteSelection}, 'Delete the selected nodes'));
  }
  root.replaceChildren(...workflowForm());
  showProblems();
}

function workflowForm() {
  const doc = state.doc;
  const description = h('textarea', {id: 'workflow-description', rows: 3}, doc.description || '');
  description.addEventListener('input', () => edit('wf-description', (d) => { if (description.value) d.description = description.value; else delete d.description; }));
  const tags = h('input', {id: 'workflow-tags', value: (doc.tags || []).join(', '), autocomplete: 'off'});
  tags.addEventListener('input', () => edit('wf-tags', (d) => {
    const list = tags.value.split(',').map((t) => t.trim()).filter(Boolean);
    if (list.length) d.tags = list; else delete d.tags;
  }));
  return [
    h('h2', {}, 'Workflow'),
    h('p', {class: 'muted'}, 'Select a node on the canvas to configure it. Drag from an output port (right) to a node to connect.'),
    h('div', {class: 'field', dataset: {path: 'description'}}, h('label', {for: 'workflow-description'}, 'Description'), description, h('div', {class: 'field-error'})),
    h('div', {class: 'field', dataset: {path: 'tags'}}, h('label', {for: 'workflow-tags'}, 'Tags'), tags, h('span', {class: 'desc'}, 'Comma-separated.'), h('div', {class: 'field-error'})),
    h('div', {id: 'node-problems'}),
  ];
}

function nodeForm(node) {
  const type = typeOf(node);
  const parts = [
    h('h2', {}, type ? type.display_name : `Unknown type ${node.type}`),
    h('p', {class: 'muted'}, type?.description || ''),
    h('div', {id: 'node-problems'}),
    h('h3', {}, 'Node'),
    idField(node),
    simpleField(node, 'name', 'Label', 'A name for people; the id is what expressions use.'),
  ];
  if (!type?.is_trigger) {
    parts.push(selectField(node, 'error_handling', 'On error', ['stop', 'continue', 'branch'], 'stop: the run fails; continue: go on with {error}; branch: follow the error output.'));
    parts.push(simpleField(node, 'retry_count', 'Retries', 'Retries after the first attempt for retryable failures, 0–100.', 'number'));
    parts.push(simpleField(node, 'timeout', 'Timeout', 'Seconds or a duration such as 90s, 5m (default 300 s).', 'duration'));
  }
  parts.push(checkboxField(node, 'disabled', 'Disabled (kept but not run)'));
  parts.push(h('h3', {}, 'Parameters'));
  if (!type) parts.push(h('p', {class: 'muted'}, 'The registry has no such type; its configuration cannot be edited here.'));
  for (const parameter of type?.parameters || []) parts.push(parameterField(node, parameter));
  parts.push(simpleField(node, 'notes', 'Notes', '', 'text'));
  parts.push(...connections(node));
  parts.push(h('div', {class: 'row'}, h('button', {type: 'button', class: 'danger', onclick: deleteSelection, 'aria-label': `Delete node ${node.id}`}, 'Delete node')));
  queueMicrotask(showProblems);
  return parts;
}

/** A labelled field; the control is described by its description and by the problems shown under it. */
function fieldWrapper(path, label, control, {required = false, description = '', extra = null} = {}) {
  const described = [`${control.id}-error`, description ? `${control.id}-desc` : null].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', described);
  if (required) control.setAttribute('aria-required', 'true');
  return h('div', {class: 'field', dataset: {path}},
    h('label', {for: control.id}, label, required ? h('span', {class: 'required', 'aria-hidden': 'true'}, '*') : null),
    control, extra, description ? h('span', {class: 'desc', id: `${control.id}-desc`}, description) : null,
    h('div', {class: 'field-error', id: `${control.id}-error`, 'aria-live': 'polite'}));
}

function idField(node) {
  const input = h('input', {id: 'node-id', value: node.id, autocomplete: 'off'});
  const wrapper = fieldWrapper('id', 'Id', input, {required: true, description: 'Letters, digits and _; later nodes read its output as {{ id.field }}.'});
  input.addEventListener('change', () => {
    const next = input.value.trim();
    const error = wrapper.querySelector('.field-error');
    if (next === node.id) return;
    if (!ID_PATTERN.test(next)) { error.textContent = 'An id is a letter or _ then letters, digits or _ (at most 64).'; return; }
    if (nodeById(next)) { error.textContent = `'${next}' is taken.`; return; }
    error.textContent = '';
    renameNode(node.id, next);
  });
  return wrapper;
}

/** Renames a node and everything that refers to it: edges and {{ id. }} references. */
function renameNode(from, to) {
  const pattern = new RegExp(`(\\{\\{[^}]*?)\\b${from}\\b(?=\\s*[.\\[|}])`, 'g');
  const rewrite = (value) => {
    if (typeof value === 'string') return value.replace(pattern, `$1${to}`);
    if (Array.isArray(value)) return value.map(rewrite);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v)]));
    return value;
  };
  mutate((doc) => {
    for (const node of doc.nodes) {
      if (node.id === from) node.id = to;
      if (node.configuration) node.configuration = rewrite(node.configuration);
    }
    for (const edge of doc.edges) {
      if (edge.source === from) edge.source = to;
      if (edge.target === from) edge.target = to;
    }
  });
  select([to]);
}

function setOrDelete(object, key, result) {
  if (result.unset) delete object[key]; else object[key] = result.value;
}

function simpleField(node, key, label, description, kind = 'string') {
  const control = controlFor({name: key, type: {kind}}, `node-${key}`);
  control.write(node[key]);
  const wrapper = fieldWrapper(key, label, control.control, {description});
  control.control.addEventListener('input', () => {
    const result = control.read();
    wrapper.querySelector('.field-error').textContent = result.error || '';
    if (!result.error) edit(`${node.id}.${key}`, (doc) => setOrDelete(nodeById(node.id, doc), key, result));
  });
  return wrapper;
}

function selectField(node, key, label, values, description) {
  const control = controlFor({name: key, enum: values, default: values[0], type: {kind: 'string'}}, `node-${key}`);
  control.write(node[key]);
  const wrapper = fieldWrapper(key, label, control.control, {description});
  control.control.addEventListener('change', () => edit(`${node.id}.${key}`, (doc) => {
    const target = nodeById(node.id, doc);
    const result = control.read();
    setOrDelete(target, key, result.value === values[0] ? {unset: true} : result);
    if (key === 'error_handling' && target.error_handling !== 'branch') {
      doc.edges = doc.edges.filter((e) => !(e.source === node.id && e.branch === 'error'));
    }
  }));
  return wrapper;
}

function checkboxField(node, key, label) {
  const input = h('input', {type: 'checkbox', id: `node-${key}`, checked: node[key] === true});
  input.addEventListener('change', () => edit(`${node.id}.${key}`, (doc) => {
    const target = nodeById(node.id, doc);
    if (input.checked) target[key] = true; else delete target[key];
  }));
  return h('div', {class: 'field', dataset: {path: key}}, h('label', {}, input, ' ', label), h('div', {class: 'field-error'}));
}

function parameterField(node, parameter) {
  const id = `field-${parameter.name}`;
  const control = controlFor(parameter, id);
  control.write(node.configuration?.[parameter.name]);
  control.control.dataset.parameter = parameter.name;
  const kind = parameter.type?.kind;
  const accepts = !parameter.enum && kind !== 'boolean';
  const extra = accepts ? insertMenu(node, control.control, parameter.name) : null;
  const description = [parameter.description, parameter.secret ? 'Use {{ secrets.NAME }}.' : '', kindHint(parameter)].filter(Boolean).join(' ');
  const wrapper = fieldWrapper(`configuration.${parameter.name}`, parameter.name, control.control, {required: parameter.required, description, extra});
  const commit = () => {
    const result = control.read();
    wrapper.querySelector('.field-error').textContent = result.error || '';
    if (result.error) return;
    edit(`${node.id}.configuration.${parameter.name}`, (doc) => {
      const target = nodeById(node.id, doc);
      target.configuration ||= {};
      setOrDelete(target.configuration, parameter.name, result);
      if (!Object.keys(target.configuration).length) delete target.configuration;
    });
  };
  control.control.addEventListener(control.control.tagName === 'SELECT' ? 'change' : 'input', commit);
  return wrapper;
}

function kindHint(parameter) {
  const kind = parameter.type?.kind;
  const hints = {duration: 'A duration: 30, 90s, 5m.', cron: 'A cron expression, e.g. 0 3 * * *.', condition: 'An expression, with or without {{ }}.',
    map: 'JSON object.', object: 'JSON object.', list: 'JSON list.'};
  const range = parameter.minimum !== undefined ? ` ${parameter.minimum}–${parameter.maximum ?? '…'}.` : '';
  return (hints[kind] || '') + range;
}

/**
 * A menu of the upstream outputs; choosing one inserts it at the cursor of `control`. Picked with the pointer it is
 * inserted at once; moved through with the keyboard (arrows, letters), which changes a closed select's value at each
 * step, it is inserted on Enter, so a keyboard user can reach any entry, not only the first.
 */
function insertMenu(node, control, name) {
  const groups = suggestionsFor(node.id, state.doc);
  const menu = h('select', {class: 'insert', 'aria-label': `Insert an upstream value into ${name} (arrows choose, Enter inserts)`},
    h('option', {value: ''}, '{{ }} Insert a value…'),
    groups.map((group) => h('optgroup', {label: group.label}, group.fields.map((field) => h('option', {value: field.value}, field.label)))));
  let browsing = false;
  const insert = () => {
    const text = menu.value;
    menu.value = '';
    if (!text) return;
    const start = control.selectionStart ?? control.value.length;
    const end = control.selectionEnd ?? control.value.length;
    control.value = control.value.slice(0, start) + text + control.value.slice(end);
    control.dispatchEvent(new Event('input', {bubbles: true}));
    control.focus();
  };
  menu.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') { event.preventDefault(); browsing = false; insert(); }
    else if (!event.altKey && (/^(Arrow|Page|Home|End)/.test(event.key) || (event.key.length === 1 && event.key !== ' '))) browsing = true;
  });
  menu.addEventListener('change', () => { if (!browsing) insert(); browsing = false; });
  return menu;
}

function connections(node) {
  const doc = state.doc;
  const outgoing = doc.edges.map((edge, index) => ({edge, index})).filter(({edge}) => edge.source === node.id);
  const incoming = doc.edges.map((edge, index) => ({edge, index})).filter(({edge}) => edge.target === node.id);
  const removeButton = (index, text) => h('button', {type: 'button', class: 'small', 'aria-label': `Remove the connection ${text}`,
    onclick: () => mutate((d) => d.edges.splice(index, 1))}, 'Remove');
  const line = ({edge, index}) => {
    const text = `${edge.source}${edge.branch ? ` (${edge.branch})` : ''} → ${edge.target}`;
    return h('li', {dataset: {edge: index}}, h('div', {class: 'row'}, h('span', {}, text), removeButton(index, text)));
  };
  const outputs = [...(hasMainOutput(node) ? [''] : []), ...branchesOf(node)];
  const branch = h('select', {'aria-label': 'Output to connect from'}, outputs.map((b) => h('option', {value: b}, b || 'output')));
  const target = h('select', {'aria-label': 'Node to connect to'}, doc.nodes.filter((n) => n.id !== node.id && !typeOf(n)?.is_trigger).map((n) => h('option', {value: n.id}, n.id)));
  const add = h('button', {type: 'button', class: 'small', onclick: () => { if (target.value) connect(node.id, target.value, branch.value || null); }}, 'Connect');
  return [
    h('h3', {}, 'Connections'),
    h('ul', {class: 'list'}, [...incoming, ...outgoing].map(line)),
    h('div', {class: 'row'}, branch, h('span', {}, '→'), target, add),
  ];
}

/** Puts each validator problem of the shown node (or the workflow) beside its field, the rest at the top. */
function showProblems() {
  const root = panel();
  root.querySelectorAll('.field').forEach((field) => {
    field.classList.remove('invalid');
    const error = field.querySelector('.field-error');
    if (error && error.dataset.fromValidator) { error.textContent = ''; delete error.dataset.fromValidator; }
  });
  const ids = [...state.selection];
  const nodeId = ids.length === 1 ? ids[0] : null;
  const mine = state.problems.filter((p) => (nodeId ? p.node_id === nodeId : !p.node_id));
  const fields = [...root.querySelectorAll('.field[data-path]')];
  const loose = [];
  for (const problem of mine) {
    const path = (problem.path || '').replace(/^nodes\[\d+\]\.?/, '');
    const field = fields.filter((f) => path === f.dataset.path || path.startsWith(`${f.dataset.path}.`) || path.startsWith(`${f.dataset.path}[`))
      .sort((a, b) => b.dataset.path.length - a.dataset.path.length)[0];
    if (!field) { loose.push(problem); continue; }
    if (problem.severity !== 'warning') field.classList.add('invalid');
    const error = field.querySelector('.field-error');
    error.dataset.fromValidator = 'true';
    error.textContent = [error.textContent, `${problem.message}${problem.suggestion ? ` — ${problem.suggestion}` : ''}`].filter(Boolean).join(' ');
  }
  const box = root.querySelector('#node-problems');
  if (box) {
    box.replaceChildren(...(loose.length ? [h('ul', {class: 'list'}, loose.map((p) => h('li', {class: `problem ${p.severity}`},
      h('span', {class: 'code'}, p.code), ' ', p.message, p.suggestion ? h('div', {class: 'muted'}, p.suggestion) : null)))] : []));
  }
}

