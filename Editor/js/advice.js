// Advice from history: fix suggestions for a failed run and optimization suggestions for a workflow, each with its
// rationale, evidence and patch, and an Apply button that makes a new version.
import {api} from './api.js';
import {h, notify, showError, pretty} from './dom.js';
import {state} from './state.js';
import {openWorkflow} from './workflow-io.js';

/** Asks for fix suggestions for a failed execution and shows them in `container`. */
export async function suggestFixes(executionId, container) {
  container.replaceChildren(h('p', {class: 'muted'}, 'Looking for fixes…'));
  try {
    const advice = await api.post(`executions/${encodeURIComponent(executionId)}/suggestions`);
    container.replaceChildren(...renderAdvice(advice, 'No fix to suggest for this failure.'));
  } catch (error) {
    container.replaceChildren(h('p', {class: 'valid-no'}, `${error.title || error.message}${error.detail ? `: ${error.detail}` : ''}`));
    showError(error, 'No fix suggestions');
  }
}

/** Asks for optimization suggestions for the saved workflow and shows them in `container`. */
export async function suggestOptimizations(container) {
  if (!state.workflowId) { container.replaceChildren(h('p', {class: 'muted'}, 'Save the workflow first: optimizations come from its runs.')); return; }
  container.replaceChildren(h('p', {class: 'muted'}, 'Analysing the runs…'));
  try {
    const analysis = await api.post(`workflows/${encodeURIComponent(state.workflowId)}/optimizations`);
    container.replaceChildren(
      h('p', {}, 'Critical path: ', (analysis.critical_path || []).join(' → ') || '—', analysis.critical_path_ms ? ` (${analysis.critical_path_ms} ms median)` : ''),
      ...renderAdvice(analysis, 'Nothing to optimise yet (at least 10 runs are needed before a node\'s figures count).'));
  } catch (error) {
    container.replaceChildren(h('p', {class: 'valid-no'}, error.title || error.message));
    showError(error, 'No optimizations');
  }
}

function renderAdvice(advice, empty) {
  const suggestions = advice.suggestions || [];
  const parts = [];
  if (!suggestions.length) parts.push(h('p', {class: 'muted'}, empty));
  for (const suggestion of suggestions) parts.push(card(suggestion));
  if ((advice.dropped || []).length) {
    parts.push(h('details', {}, h('summary', {}, `${advice.dropped.length} dropped (did not validate)`),
      h('ul', {}, advice.dropped.map((d) => h('li', {}, `${d.title}: ${d.reason}`)))));
  }
  return parts;
}

function card(suggestion) {
  if (suggestion.kind === 'action') return actionCard(suggestion);
  const apply = h('button', {type: 'button', class: 'primary small', 'aria-label': `Apply: ${suggestion.title}`, dataset: {suggestion: suggestion.id}}, 'Apply');
  const result = h('div', {class: 'muted', 'aria-live': 'polite'});
  apply.addEventListener('click', async () => {
    apply.disabled = true;
    try {
      const saved = await api.post(`suggestions/${encodeURIComponent(suggestion.id)}/apply`);
      result.textContent = `Applied: ${saved.name} version ${saved.version}.`;
      notify('success', `Applied "${suggestion.title}"`, `${saved.name} is now at version ${saved.version}.`);
      await openWorkflow(saved.workflow_id, {force: true});
    } catch (error) {
      apply.disabled = false;
      showError(error, 'Cannot apply the suggestion');
    }
  });
  return h('div', {class: 'card suggestion', dataset: {rule: suggestion.rule, id: suggestion.id}},
    h('h4', {}, suggestion.title),
    h('p', {}, suggestion.rationale),
    h('p', {class: 'muted'}, `${suggestion.rule} · ${suggestion.source} · confidence ${Math.round((suggestion.confidence || 0) * 100)} %${suggestion.node_id ? ` · node ${suggestion.node_id}` : ''}`),
    h('details', {}, h('summary', {}, 'Change and evidence'), h('pre', {}, pretty(suggestion.patch)), h('pre', {}, pretty(suggestion.evidence))),
    h('div', {class: 'row'}, suggestion.status === 'applied' ? h('span', {class: 'muted'}, `applied (v${suggestion.applied_version})`) : apply),
    result);
}

// Something to do outside the workflow (set a secret, start a service): its commands, and nothing to apply.
function actionCard(suggestion) {
  const commands = (suggestion.evidence && suggestion.evidence.commands) || [];
  return h('div', {class: 'card suggestion action', dataset: {rule: suggestion.rule, id: suggestion.id}},
    h('h4', {}, suggestion.title),
    h('p', {}, suggestion.rationale),
    h('p', {class: 'muted'}, `to do outside the workflow · ${suggestion.rule} · confidence ${Math.round((suggestion.confidence || 0) * 100)} %${suggestion.node_id ? ` · node ${suggestion.node_id}` : ''}`),
    commands.length ? h('pre', {class: 'commands', 'aria-label': 'Commands'}, commands.join('\n')) : null,
    h('details', {}, h('summary', {}, 'Evidence'), h('pre', {}, pretty(suggestion.evidence))));
}
