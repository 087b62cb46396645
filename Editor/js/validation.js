// Validation: POST /api/v1/validate shortly after each edit (and on the button); the problems go to the state, where
// the canvas, the configuration panel and the Problems tab show them.
import {api, ApiError} from './api.js';
import {h, showError, notify} from './dom.js';
import {on, emit} from './events.js';
import {state, select} from './state.js';
import {showPanel} from './tabs.js';
import {focusNode} from './canvas.js';

const DELAY_MS = 500;
let timer = null;
let sequence = 0;

export function initValidation() {
  on('doc', () => schedule());
  on('problems', renderList);
  renderList();
}

function schedule() {
  clearTimeout(timer);
  timer = setTimeout(() => validateNow().catch((error) => showError(error, 'Validation')), DELAY_MS);
}

/** Validates the current document now; answers the report. */
export async function validateNow({announce = false} = {}) {
  clearTimeout(timer);
  const mine = ++sequence;
  let report;
  try {
    report = await api.post('validate', JSON.stringify({workflow: state.doc}));
  } catch (error) {
    if (!(error instanceof ApiError) || !error.problems.length) throw error;
    report = {valid: false, problems: error.problems};
  }
  if (mine !== sequence) return report;
  state.problems = report.problems || [];
  emit('problems', state.problems);
  if (announce) {
    const errors = state.problems.filter((p) => p.severity !== 'warning').length;
    if (errors) { notify('error', `${errors} problem(s) to fix`, 'See the Problems tab and the nodes outlined in red.'); showPanel('problems'); }
    else notify('success', 'The workflow is valid', state.problems.length ? `${state.problems.length} warning(s).` : '');
  }
  return report;
}

function renderList() {
  const errors = state.problems.filter((p) => p.severity !== 'warning');
  document.getElementById('problem-count').textContent = errors.length ? String(errors.length) : '';
  const panel = document.getElementById('panel-problems');
  if (!state.problems.length) {
    panel.replaceChildren(h('h2', {}, 'Problems'), h('p', {class: 'muted', id: 'no-problems'}, 'No problems: the validator accepts this workflow.'));
    return;
  }
  panel.replaceChildren(h('h2', {}, 'Problems'), h('ul', {class: 'list', id: 'problem-list'}, state.problems.map((problem) => {
    const item = h('li', {class: `problem ${problem.severity}`, dataset: {code: problem.code, node: problem.node_id || ''}},
      h('div', {}, h('strong', {}, problem.severity), ' ', h('span', {class: 'code'}, problem.code), problem.node_id ? ` · ${problem.node_id}` : ''),
      h('div', {}, problem.message),
      problem.suggestion ? h('div', {class: 'muted'}, problem.suggestion) : null,
      problem.path ? h('div', {class: 'code'}, problem.path) : null);
    if (problem.node_id) {
      item.append(h('button', {type: 'button', class: 'small', 'aria-label': `Show node ${problem.node_id}`, onclick: () => {
        select([problem.node_id]);
        showPanel('config');
        focusNode(problem.node_id);
      }}, 'Show'));
    }
    return item;
  })));
}
