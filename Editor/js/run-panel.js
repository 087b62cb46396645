// Running: start an execution of the saved workflow and watch it live over server-sent events — node colours on the
// canvas, durations, a log — with a stop button. Also used to watch any execution (a retry, an applied fix's run).
import {api, streamEvents} from './api.js';
import {h, showError, notify, time, seconds, duration} from './dom.js';
import {emit, on} from './events.js';
import {RunTracker} from './run-tracker.js';
import {state} from './state.js';
import {saveIfNeeded} from './workflow-io.js';
import {showPanel} from './tabs.js';

let current = null;

export function initRunPanel() {
  document.getElementById('run').addEventListener('click', () => run().catch((e) => showError(e, 'Cannot run')));
  document.getElementById('stop').addEventListener('click', () => stop().catch((e) => showError(e, 'Cannot stop')));
  // The live view belongs to the open workflow: opening another one ends it (the run itself goes on).
  on('loaded', () => {
    if (!current || current.workflowId === state.workflowId) return;
    current.abort.abort();
    current = null;
    document.getElementById('stop').disabled = true;
    renderIdle();
  });
  renderIdle();
}

function renderIdle() {
  const panel = document.getElementById('panel-run');
  panel.replaceChildren(h('h2', {}, 'Run'), inputBox(), h('p', {class: 'muted'}, 'Run saves the workflow if it has changes, starts it and shows it live here and on the canvas.'));
}

function inputBox() {
  const previous = document.getElementById('run-input')?.value || '{}';
  return h('div', {class: 'field'}, h('label', {for: 'run-input'}, 'Input (JSON object, becomes trigger.…)'),
    h('textarea', {id: 'run-input', rows: 2, spellcheck: 'false'}, previous));
}

/** Saves if needed, starts a run, and watches it. */
export async function run() {
  const input = document.getElementById('run-input')?.value.trim() || '{}';
  let body;
  try { body = JSON.parse(input); } catch { throw new Error('The run input is not JSON; write an object such as {"stack_id": "shop"}.'); }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('The run input must be a JSON object.');
  if (!(await saveIfNeeded())) return;
  const started = await api.post(`workflows/${encodeURIComponent(state.workflowId)}/run`, body);
  await watch(started.execution_id);
}

export async function stop() {
  if (!current) return;
  await api.post(`executions/${encodeURIComponent(current.id)}/cancel`);
  notify('info', 'Stop requested', `Execution ${current.id} will stop after its running steps.`);
}

/** Watches an execution until it ends: events from the stream, exact figures from GET /executions/{id}. */
export async function watch(id) {
  current?.abort.abort();
  const abort = new AbortController();
  const tracker = new RunTracker();
  const watching = {id, workflowId: state.workflowId, abort, tracker, logged: new Set(), streamed: new Set(), refreshTimer: null};
  current = watching;
  showPanel('run');
  const panel = document.getElementById('panel-run');
  const pill = h('span', {class: 'status-pill running', id: 'run-status', 'data-status': 'running'}, 'running');
  const log = h('div', {class: 'log', id: 'run-log', role: 'log', 'aria-label': 'Execution log', tabindex: '0'});
  const nodes = h('ul', {class: 'list', id: 'run-nodes'});
  panel.replaceChildren(h('h2', {}, 'Run ', pill), inputBox(), h('p', {class: 'muted'}, 'Execution ', h('code', {id: 'run-execution-id'}, id)),
    h('h3', {}, 'Log'), log, h('h3', {}, 'Nodes'), nodes);
  document.getElementById('stop').disabled = false;
  const write = (line, at) => {
    if (!line) return;
    const offset = seconds(at) && tracker.startedAt ? `+${(seconds(at) - tracker.startedAt).toFixed(2)}s ` : '';
    log.append(h('div', {class: line.kind}, `${offset}${line.text}`));
    log.scrollTop = log.scrollHeight;
  };
  const show = () => {
    if (current !== watching) return;
    state.statuses = new Map(tracker.nodes);
    emit('statuses', state.statuses);
    nodes.replaceChildren(...[...tracker.nodes].map(([node, info]) => h('li', {dataset: {node, status: info.status}},
      h('strong', {}, node), ' ', h('span', {class: `status-pill ${info.status}`}, info.status),
      info.durationMs !== undefined ? ` ${duration(info.durationMs)}` : '', info.attempts > 1 ? ` · ${info.attempts} attempts` : '')));
  };
  const refresh = async () => {
    const record = await api.get(`executions/${encodeURIComponent(id)}`);
    tracker.merge(record.node_runs || [], Boolean(record.finished_at));
    for (const run of record.node_runs || []) {
      const key = `${run.node}#${run.attempt}`;
      // Lines that came live over the stream are not repeated from the stored tail.
      if (watching.logged.has(key) || watching.streamed.has(run.node) || !run.log_tail) continue;
      watching.logged.add(key);
      write({kind: 'info', text: run.log_tail.split('\n').filter((l) => l.trim()).map((l) => `  ${run.node} │ ${l}`).join('\n')});
    }
    show();
    return record;
  };
  try {
    await streamEvents(`executions/${encodeURIComponent(id)}/events`, (event) => {
      if (event.event === 'log' && event.data?.node) watching.streamed.add(event.data.node);
      write(tracker.apply(event), event.data?.at);
      show();
      if (event.event === 'node_finished') {
        clearTimeout(watching.refreshTimer);
        watching.refreshTimer = setTimeout(() => refresh().catch((e) => showError(e, 'Cannot read the execution')), 150);
      }
    }, abort.signal);
  } catch (error) {
    if (error.name === 'AbortError') return;
    showError(error, 'The live view stopped');
  } finally {
    clearTimeout(watching.refreshTimer);
  }
  if (current !== watching) return;
  try {
    const record = await refresh();
    pill.textContent = record.status;
    pill.className = `status-pill ${record.status}`;
    pill.dataset.status = record.status;
    if (record.error_message) write({kind: 'failed', text: `${record.error_node ? `${record.error_node}: ` : ''}${record.error_message}`});
    write({kind: 'info', text: record.finished_at ? `finished ${time(record.finished_at)}` : `${record.status} (the live view ended)`});
    emit('execution-finished', record);
    return record;
  } finally {
    // Whatever happened, this view no longer follows the execution: Stop goes back to disabled.
    if (current === watching) {
      current = null;
      document.getElementById('stop').disabled = true;
    }
  }
}
