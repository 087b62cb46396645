// Version history of the open workflow: each version, a line diff between two, opening one, and rollback (which
// saves that version's content as a new version).
import {api} from './api.js';
import {h, showError, time, notify} from './dom.js';
import {on} from './events.js';
import {state} from './state.js';
import {openWorkflow} from './workflow-io.js';

const panel = () => document.getElementById('panel-versions');

export function initVersions() {
  on('panel-shown', (name) => { if (name === 'versions') refresh().catch((e) => showError(e, 'Cannot list versions')); });
  // Opening or saving a workflow (both emit 'loaded') redraws a shown list: a stale one would roll back the wrong workflow.
  on('loaded', () => { if (!panel().hidden) refresh().catch((e) => showError(e, 'Cannot list versions')); });
}

export async function refresh() {
  if (!state.workflowId) {
    panel().replaceChildren(h('h2', {}, 'Versions'), h('p', {class: 'muted'}, 'Save the workflow to start its history.'));
    return;
  }
  const versions = (await api.get(`workflows/${encodeURIComponent(state.workflowId)}/versions`)).sort((a, b) => b.version - a.version);
  const latest = versions[0]?.version;
  const from = h('select', {id: 'diff-from', 'aria-label': 'Diff from version'}, versions.map((v) => h('option', {value: v.version}, `v${v.version}`)));
  const to = h('select', {id: 'diff-to', 'aria-label': 'Diff to version'}, versions.map((v) => h('option', {value: v.version}, `v${v.version}`)));
  from.value = String(versions[1]?.version ?? latest);
  to.value = String(latest);
  const output = h('div', {id: 'diff-output'});
  const diffButton = h('button', {type: 'button', id: 'show-diff', onclick: () => showDiff(from.value, to.value, output).catch((e) => showError(e, 'Cannot diff'))}, 'Show diff');
  panel().replaceChildren(
    h('h2', {}, `Versions of ${state.savedName}`),
    h('ul', {class: 'list', id: 'version-list'}, versions.map((v) => h('li', {dataset: {version: v.version}, class: v.version === state.version ? 'selected' : ''},
      h('div', {class: 'row'}, h('strong', {}, `v${v.version}`), h('span', {class: 'muted'}, time(v.created_at)), v.version === latest ? h('span', {class: 'muted'}, '(current)') : null),
      h('div', {class: 'row'},
        h('button', {type: 'button', class: 'small', 'aria-label': `Diff version ${v.version} with the current one`, onclick: () => { from.value = String(v.version); to.value = String(latest); showDiff(v.version, latest, output).catch((e) => showError(e, 'Cannot diff')); }}, 'Diff with current'),
        v.version !== latest ? h('button', {type: 'button', class: 'small', 'aria-label': `Roll back to version ${v.version}`, dataset: {rollback: v.version}, onclick: () => rollback(v.version).catch((e) => showError(e, 'Rollback failed'))}, 'Roll back to this') : null)))),
    h('h3', {}, 'Diff'),
    h('div', {class: 'row'}, from, h('span', {}, '→'), to, diffButton),
    output);
}

async function showDiff(from, to, output) {
  const answer = await api.get(`workflows/${encodeURIComponent(state.workflowId)}/diff/${from}/${to}`);
  const lines = answer.diff || [];
  output.replaceChildren(answer.changed === false ? h('p', {class: 'muted'}, `v${from} and v${to} are the same.`) :
    h('div', {class: 'diff', role: 'region', 'aria-label': `Diff from v${from} to v${to}`},
      lines.map((line) => h('div', {class: line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : ''}, line))));
}

async function rollback(version) {
  if (!confirm(`Save the content of version ${version} as a new version?`)) return;
  const record = await api.post(`workflows/${encodeURIComponent(state.workflowId)}/rollback/${version}`);
  notify('success', `Rolled back to v${version}`, `Saved as version ${record.version}.`);
  await openWorkflow(record.id);
  await refresh();
}
