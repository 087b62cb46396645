// Opening, creating, saving (a new version), importing and exporting workflows.
import {api, ApiError} from './api.js';
import {h, notify, showError} from './dom.js';
import {on, emit} from './events.js';
import {ensurePositions} from './layout.js';
import {workflowToYAML} from './yaml-writer.js';
import {state, load, markSaved, emptyDoc, isDirty, normalise, mutate, changed} from './state.js';
import {fit} from './canvas.js';

let workflows = [];
let nameEdit = 0;

export function initWorkflowIO() {
  const picker = document.getElementById('workflow-picker');
  picker.addEventListener('change', () => {
    if (picker.value && picker.value !== state.workflowId) openWorkflow(picker.value).catch((e) => showError(e, 'Cannot open the workflow'));
  });
  document.getElementById('new-workflow').addEventListener('click', newWorkflow);
  const name = document.getElementById('workflow-name');
  name.addEventListener('input', () => {
    const now = Date.now();
    if (now - nameEdit < 1500) { state.doc.name = name.value; changed(); } else mutate((doc) => { doc.name = name.value; });
    nameEdit = now;
  });
  on('doc', (doc) => { if (document.activeElement !== name) name.value = doc.name || ''; });
  on('loaded', showVersion);
  on('dirty', (dirty) => { document.getElementById('dirty-label').textContent = dirty ? '• unsaved changes' : ''; });
  document.getElementById('save').addEventListener('click', () => save().catch((e) => showError(e, 'Save failed')));
  document.getElementById('import').addEventListener('click', openImport);
  document.getElementById('export').addEventListener('click', () => exportYAML().catch((e) => showError(e, 'Export failed')));
  document.getElementById('import-file').addEventListener('change', (event) => {
    const file = event.target.files[0];
    if (!file) return;
    file.text().then((text) => { document.getElementById('import-text').value = text; })
      .catch((e) => showError(e, `Cannot read ${file.name}`));
  });
  document.getElementById('import-form').addEventListener('submit', (event) => {
    if (event.submitter?.value !== 'import') return;
    event.preventDefault();
    importText(document.getElementById('import-text').value)
      .then(() => document.getElementById('import-dialog').close())
      .catch((e) => showError(e, 'Import failed'));
  });
  window.addEventListener('beforeunload', (event) => { if (isDirty() && state.doc.nodes.length) event.preventDefault(); });
}

function showVersion() {
  document.getElementById('version-label').textContent = state.workflowId ? `v${state.version}` : 'not saved';
  const picker = document.getElementById('workflow-picker');
  picker.value = state.workflowId || '';
  if (state.workflowId) history.replaceState(null, '', `#workflow=${state.workflowId}`);
  else history.replaceState(null, '', location.pathname);
}

/** Reloads the list of stored workflows into the picker. */
export async function refreshWorkflows() {
  workflows = await api.get('workflows');
  const picker = document.getElementById('workflow-picker');
  picker.replaceChildren(h('option', {value: ''}, state.workflowId ? 'Open a workflow…' : '(new workflow)'),
    ...workflows.map((w) => h('option', {value: w.id}, `${w.name} (v${w.version})${w.active ? ' ●' : ''}`)));
  picker.value = state.workflowId || '';
  return workflows;
}

function confirmDiscard() {
  return !isDirty() || !state.doc.nodes.length || confirm('Discard the unsaved changes?');
}

function newWorkflow() {
  if (!confirmDiscard()) return;
  load(emptyDoc());
  refreshWorkflows().catch((e) => showError(e));
}

/** Opens the current version of a stored workflow. */
export async function openWorkflow(id, {force = false} = {}) {
  if (!force && !confirmDiscard()) { document.getElementById('workflow-picker').value = state.workflowId || ''; return; }
  const record = await api.get(`workflows/${encodeURIComponent(id)}`);
  const doc = normalise(record.workflow);
  ensurePositions(doc);
  load(doc, record);
  await refreshWorkflows();
  requestAnimationFrame(fit);
}

/** Saves the document: a new version of the stored workflow, or a new workflow. Answers the stored record. */
export async function save() {
  const body = JSON.stringify({workflow: state.doc});
  let record;
  try {
    if (state.workflowId && state.doc.name === state.savedName) {
      record = await api.put(`workflows/${encodeURIComponent(state.workflowId)}`, body);
    } else {
      const other = workflows.find((w) => w.name === state.doc.name && w.id !== state.workflowId);
      if (other && !confirm(`A workflow named '${other.name}' exists; saving makes a new version of it. Continue?`)) return null;
      record = await api.post('workflows', body);
    }
  } catch (error) {
    if (error instanceof ApiError && error.problems.length) {
      state.problems = error.problems;
      emit('problems', state.problems);
    }
    throw error;
  }
  markSaved(record);
  await refreshWorkflows();
  notify('success', `Saved ${record.name}, version ${record.version}`);
  return record;
}

/** Saves when there are unsaved changes; answers whether the stored version is now the document. */
export async function saveIfNeeded() {
  if (state.workflowId && !isDirty()) return true;
  return Boolean(await save());
}

function openImport() {
  document.getElementById('import-text').value = '';
  document.getElementById('import-file').value = '';
  document.getElementById('import-dialog').showModal();
}

/**
 * Reads YAML or JSON text into the editor as a new, unsaved document. The server reads it (POST /api/v1/validate
 * answers the workflow as read, with the seed's shorthands expanded) so an import means what a save would store.
 */
async function importText(text) {
  if (!text.trim()) throw new Error('Nothing to import: choose a file or paste a workflow.');
  const report = await api.post('validate', text);
  if (!report?.workflow) throw new Error('The server did not answer the workflow it read.');
  const doc = normalise(report.workflow);
  ensurePositions(doc);
  const stored = workflows.find((w) => w.name === doc.name);
  load(doc);
  const errors = (report.problems || []).filter((p) => p.severity !== 'warning').length;
  const status = errors ? `Not saved yet; ${errors} problem(s) to fix before it can be.` : 'Not saved yet.';
  if (stored) notify('info', `Imported '${doc.name}'`, `${status} A stored workflow has this name: saving makes version ${stored.version + 1} of it.`);
  else notify(errors ? 'info' : 'success', `Imported '${doc.name}'`, status);
  requestAnimationFrame(fit);
}

/** Shows the workflow as YAML (the server's canonical form when the saved version is shown). */
async function exportYAML() {
  let text = null;
  if (state.workflowId && !isDirty()) {
    const answer = await api.get(`workflows/${encodeURIComponent(state.workflowId)}?format=yaml`);
    if (typeof answer === 'string') text = answer;
  }
  text ||= workflowToYAML(state.doc);
  document.getElementById('export-text').value = text;
  const link = document.getElementById('export-download');
  URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([text], {type: 'application/yaml'}));
  link.download = `${(state.doc.name || 'workflow').replace(/[^A-Za-z0-9_-]+/g, '-').toLowerCase()}.yaml`;
  document.getElementById('export-dialog').showModal();
  return text;
}
