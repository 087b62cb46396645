// Executions: the list for the open workflow (or all), and one execution's node runs — input, output, error,
// attempts — with "retry from this node", "show on canvas" and, for a failed run, fix suggestions.
import {api} from './api.js';
import {h, showError, time, duration, pretty, notify} from './dom.js';
import {on, emit} from './events.js';
import {RunTracker} from './run-tracker.js';
import {state} from './state.js';
import {watch} from './run-panel.js';
import {suggestFixes} from './advice.js';
import {showPanel} from './tabs.js';

const panel = () => document.getElementById('panel-executions');

export function initExecutions() {
  on('panel-shown', (name) => { if (name === 'executions' && !panel().dataset.detail) refreshList().catch((e) => showError(e, 'Cannot list executions')); });
  on('execution-finished', () => { if (!panel().hidden && !panel().dataset.detail) refreshList().catch((e) => showError(e, 'Cannot list executions')); });
  on('loaded', () => {
    delete panel().dataset.detail;
    if (!panel().hidden) refreshList().catch((e) => showError(e, 'Cannot list executions'));
  });
}

let shown = 0;

async function refreshList() {
  delete panel().dataset.detail;
  const mine = ++shown;
  const query = state.workflowId ? `?workflow=${encodeURIComponent(state.workflowId)}&limit=50` : '?limit=50';
  const records = await api.get(`executions${query}`);
  if (mine !== shown) return;
  const scope = state.workflowId ? `of ${state.doc.name}` : '(all workflows)';
  panel().replaceChildren(
    h('div', {class: 'row'}, h('h2', {}, `Executions ${scope}`), h('button', {type: 'button', class: 'small', onclick: () => refreshList().catch((e) => showError(e))}, 'Refresh')),
    records.length ? h('ul', {class: 'list', id: 'execution-list'}, records.map((record) => h('li', {dataset: {execution: record.id, status: record.status}},
      h('div', {class: 'row'}, h('span', {class: `status-pill ${record.status}`}, record.status), h('code', {}, record.id)),
      h('div', {class: 'muted'}, `v${record.workflow_version} · ${record.trigger_type} · ${time(record.created_at)}`),
      record.error_message ? h('div', {class: 'valid-no'}, `${record.error_node || ''} ${record.error_message}`.trim().slice(0, 200)) : null,
      h('button', {type: 'button', class: 'small', 'aria-label': `Open execution ${record.id}`, onclick: () => openExecution(record.id).catch((e) => showError(e, 'Cannot open the execution'))}, 'Open'))))
      : h('p', {class: 'muted'}, 'No executions yet.'));
}

/** Shows one execution's details. */
async function openExecution(id) {
  panel().dataset.detail = id;
  const mine = ++shown;
  showPanel('executions');
  let record;
  try {
    record = await api.get(`executions/${encodeURIComponent(id)}`);
  } catch (error) {
    if (mine === shown) delete panel().dataset.detail;
    throw error;
  }
  if (mine !== shown) return;
  const runs = record.node_runs || [];
  const byNode = new Map();
  for (const run of runs) {
    const key = run.node;
    if (!byNode.has(key)) byNode.set(key, []);
    byNode.get(key).push(run);
  }
  const fixes = h('div', {id: 'fix-suggestions'});
  const parts = [
    h('div', {class: 'row'}, h('button', {type: 'button', class: 'small', onclick: () => refreshList().catch((e) => showError(e))}, '← All executions'),
      h('button', {type: 'button', class: 'small', onclick: () => showOnCanvas(record)}, 'Show on canvas')),
    h('h2', {}, 'Execution ', h('span', {class: `status-pill ${record.status}`, id: 'execution-status'}, record.status)),
    h('p', {}, h('code', {}, record.id)),
    h('p', {class: 'muted'}, `${record.workflow_name} v${record.workflow_version} · ${record.trigger_type} · started ${time(record.started_at)}${record.finished_at ? ` · finished ${time(record.finished_at)}` : ''}`),
    record.restarted_from ? h('p', {class: 'muted'}, `Retry of ${record.restarted_from} from ${record.restart_node}`) : null,
    record.error_message ? h('p', {class: 'valid-no'}, `${record.error_node ? `${record.error_node}: ` : ''}${record.error_message}`) : null,
  ];
  if (record.status === 'failed') {
    parts.push(h('div', {class: 'row'}, h('button', {type: 'button', class: 'primary', id: 'suggest-fixes', onclick: () => suggestFixes(record.id, fixes)}, 'Suggest fixes')), fixes);
  }
  if (['running', 'queued', 'waiting'].includes(record.status)) {
    parts.push(h('button', {type: 'button', onclick: () => watch(record.id).catch((e) => showError(e))}, 'Watch live'));
  }
  parts.push(h('h3', {}, 'Nodes'));
  parts.push(h('ul', {class: 'list', id: 'execution-nodes'}, [...byNode].map(([node, attempts]) => nodeRuns(record, node, attempts))));
  panel().replaceChildren(...parts.filter(Boolean));
  showOnCanvas(record);
}

function nodeRuns(record, node, attempts) {
  const last = attempts[attempts.length - 1];
  const retry = h('button', {type: 'button', class: 'small', 'aria-label': `Retry from ${node}`, dataset: {retry: node}},
    'Retry from this node');
  retry.addEventListener('click', () => retryFrom(record.id, last.node_id || node).catch((e) => showError(e, `Cannot retry from ${node}`)));
  return h('li', {dataset: {node, status: last.status}},
    h('div', {class: 'row'}, h('strong', {}, node), h('span', {class: `status-pill ${last.status}`}, last.status),
      h('span', {class: 'muted'}, `${attempts.length} attempt(s) · ${duration(last.duration_ms)}`)),
    attempts.map((run) => h('details', {open: attempts.length === 1 && run.status === 'failed'},
      h('summary', {}, `Attempt ${run.attempt}: ${run.status}${run.duration_ms !== undefined ? `, ${duration(run.duration_ms)}` : ''}`),
      run.error_message ? h('div', {}, h('strong', {}, 'Error '), h('span', {class: 'valid-no'}, `${run.error_kind ? `[${run.error_kind}] ` : ''}${run.error_message}`)) : null,
      h('div', {}, h('strong', {}, 'Input')), h('pre', {}, pretty(run.input ?? {})),
      h('div', {}, h('strong', {}, 'Output')), h('pre', {}, pretty(run.output ?? null)),
      run.log_tail ? [h('div', {}, h('strong', {}, 'Log')), h('pre', {}, run.log_tail)] : null,
      run.truncated ? h('p', {class: 'muted'}, 'The output was cut at its limit.') : null)),
    h('div', {class: 'row'}, retry));
}

function showOnCanvas(record) {
  const tracker = new RunTracker();
  // The stored node runs say every node's end, skips included; the trigger that fired has none of its own.
  tracker.set(record.trigger_node, {status: 'succeeded', durationMs: 0});
  tracker.merge(record.node_runs || []);
  tracker.status = record.status;
  state.statuses = new Map(tracker.nodes);
  emit('statuses', state.statuses);
}

/** POST /executions/{id}/retry {"from": node}: a new execution reusing the outputs upstream of `node`. */
async function retryFrom(executionId, node) {
  const answer = await api.post(`executions/${encodeURIComponent(executionId)}/retry`, {from: node});
  notify('success', `Retrying from ${node}`, `New execution ${answer.id}.`);
  await watch(answer.id);
}
