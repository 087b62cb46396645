// The designer: prose → POST /api/v1/designs → the proposal previewed on the canvas (added, changed and removed parts
// highlighted when it edits the open workflow) with its validation report → accept or discard. Also the template
// gallery, recommendations for the prose typed, and optimization suggestions for the open workflow.
import {api} from './api.js';
import {h, showError, notify, describeProblem} from './dom.js';
import {emit, on} from './events.js';
import {ensurePositions, layeredPositions} from './layout.js';
import {state, load, normalise} from './state.js';
import {edgeKey, fit} from './canvas.js';
import {openWorkflow} from './workflow-io.js';
import {suggestOptimizations} from './advice.js';

const panel = () => document.getElementById('panel-designer');
let recommendTimer = null;
let templatesLoaded = false;

export function initDesigner() {
  const prose = h('textarea', {id: 'design-prose', rows: 5, placeholder: 'e.g. When CI calls /deploy, run the tests, deploy to staging, smoke-test /health and tell Slack', 'aria-describedby': 'design-help'});
  const edit = h('input', {type: 'checkbox', id: 'design-edit'});
  const button = h('button', {type: 'button', class: 'primary', id: 'design-button'}, 'Design');
  const recommendations = h('div', {id: 'recommendations', 'aria-live': 'polite'});
  prose.addEventListener('input', () => {
    clearTimeout(recommendTimer);
    recommendTimer = setTimeout(() => recommend(prose.value, recommendations).catch((e) => showError(e, 'Recommendations')), 400);
  });
  prose.addEventListener('keydown', (event) => { if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) button.click(); });
  button.addEventListener('click', () => design(prose.value, edit.checked, button).catch((e) => showError(e, 'Design failed')));
  const optimizations = h('div', {id: 'optimizations'});
  panel().replaceChildren(
    h('h2', {}, 'Design from prose'),
    h('div', {class: 'field'}, h('label', {for: 'design-prose'}, 'What should the workflow do?'), prose,
      h('span', {class: 'desc', id: 'design-help'}, 'Ctrl+Enter designs. Nothing is saved until you accept the proposal.')),
    h('div', {class: 'field'}, h('label', {for: 'design-edit'}, edit, ' Change the open workflow (instead of a new one)')),
    h('div', {class: 'row'}, button),
    h('div', {id: 'proposal'}),
    h('h3', {}, 'Recommended for this text'), recommendations,
    h('h3', {}, 'Templates'), h('div', {id: 'template-gallery'}, h('p', {class: 'muted'}, 'Loading…')),
    h('h3', {}, 'Optimize the open workflow'),
    h('button', {type: 'button', id: 'optimize-button', onclick: () => suggestOptimizations(optimizations)}, 'Suggest optimizations'),
    optimizations);
  on('panel-shown', (name) => {
    if (name !== 'designer') return;
    edit.disabled = !state.workflowId;
    if (!state.workflowId) edit.checked = false;
    if (!templatesLoaded) gallery().catch((e) => showError(e, 'Cannot list templates'));
  });
}

async function recommend(text, container) {
  if (!text.trim()) { container.replaceChildren(); return; }
  const found = await api.get(`recommendations?q=${encodeURIComponent(text)}&limit=5`);
  container.replaceChildren(found.length ? h('ul', {class: 'list', id: 'recommendation-list'}, found.map((r) => h('li', {dataset: {id: r.id, source: r.source}},
    h('strong', {}, r.name), h('span', {class: 'muted'}, ` · ${r.source}`),
    h('p', {class: 'muted'}, r.reason), h('p', {}, r.description),
    h('button', {type: 'button', class: 'small', 'aria-label': `Use ${r.name}`, onclick: () => useRecommendation(r).catch((e) => showError(e))}, r.source === 'template' ? 'Use this template' : 'Open')))) :
    h('p', {class: 'muted'}, 'No template or workflow matches.'));
}

async function useRecommendation(recommendation) {
  if (recommendation.source === 'template') await useTemplate(recommendation.id);
  else await openWorkflow(recommendation.id);
}

async function gallery() {
  const templates = await api.get('templates');
  templatesLoaded = true;
  document.getElementById('template-gallery').replaceChildren(...templates.map((t) => h('div', {class: 'card template', dataset: {template: t.id}},
    h('h4', {}, t.name), h('p', {}, t.description), h('p', {class: 'muted'}, (t.tags || []).join(', ')),
    h('button', {type: 'button', class: 'small', 'aria-label': `Use template ${t.name}`, onclick: () => useTemplate(t.id).catch((e) => showError(e, 'Cannot use the template'))}, 'Use'))));
}

async function useTemplate(id) {
  if (state.doc.nodes.length && !confirm('Replace the canvas with this template? Unsaved changes are lost.')) return;
  const template = await api.get(`templates/${encodeURIComponent(id)}`);
  const doc = normalise(template.workflow);
  ensurePositions(doc);
  load(doc);
  requestAnimationFrame(fit);
  notify('success', `Template '${template.name}' loaded`, 'Configure it, then save.');
}

async function design(prose, editing, button) {
  if (!prose.trim()) throw new Error('Describe what the workflow should do first.');
  button.disabled = true;
  const box = document.getElementById('proposal');
  box.replaceChildren(h('p', {class: 'muted'}, 'Designing… (a model can take a while)'));
  try {
    const body = {prose};
    if (editing && state.workflowId) body.workflow = state.workflowId;
    const proposal = await api.post('designs', body);
    showProposal(proposal, editing && state.workflowId);
  } catch (error) {
    box.replaceChildren(h('p', {class: 'valid-no'}, `${error.title || error.message}${error.detail ? `: ${error.detail}` : ''}`));
    throw error;
  } finally {
    button.disabled = false;
  }
}

/** Draws the proposal on the canvas as a preview and shows its report with Accept and Discard. */
function showProposal(proposal, editing) {
  // The server answers the proposal's workflow as read from its YAML; a proposal it could not read has none.
  const doc = normalise(proposal.workflow || {name: proposal.workflow_name, nodes: [], edges: []});
  const diff = {nodes: {}, edges: {}};
  const shown = structuredClone(doc);
  if (editing) {
    const current = state.doc;
    const before = new Map(current.nodes.map((n) => [n.id, n]));
    for (const node of shown.nodes) {
      const old = before.get(node.id);
      if (old && !node.position) node.position = old.position;
      if (!old) diff.nodes[node.id] = 'added';
      else if (canonical(strip(old)) !== canonical(strip(node))) diff.nodes[node.id] = 'changed';
    }
    const kept = new Set(shown.nodes.map((n) => n.id));
    for (const old of current.nodes) if (!kept.has(old.id)) { shown.nodes.push(structuredClone(old)); diff.nodes[old.id] = 'removed'; }
    const newEdges = new Set(doc.edges.map(edgeKey));
    const oldEdges = new Set(current.edges.map(edgeKey));
    for (const edge of doc.edges) if (!oldEdges.has(edgeKey(edge))) diff.edges[edgeKey(edge)] = 'added';
    for (const edge of current.edges) if (!newEdges.has(edgeKey(edge))) { shown.edges.push(structuredClone(edge)); diff.edges[edgeKey(edge)] = 'removed'; }
    const missing = shown.nodes.filter((n) => !n.position);
    if (missing.length) {
      const positions = layeredPositions(shown.nodes, shown.edges);
      for (const node of missing) node.position = positions[node.id];
    }
  } else {
    ensurePositions(shown);
  }
  state.preview = {proposal, doc: shown, diff, editing: Boolean(editing)};
  emit('preview', state.preview);
  requestAnimationFrame(fit);
  renderReport(proposal, diff);
  renderBanner(proposal, diff);
}

function strip(node) {
  const {position, ...rest} = node;
  return rest;
}

/** JSON with the keys of every object sorted, so the same node compares equal whatever order its keys were written in. */
function canonical(value) {
  return JSON.stringify(value, (key, item) => (item && typeof item === 'object' && !Array.isArray(item)
    ? Object.fromEntries(Object.keys(item).sort().map((k) => [k, item[k]])) : item));
}

function counts(diff) {
  const values = [...Object.values(diff.nodes)];
  return ['added', 'changed', 'removed'].map((kind) => [kind, values.filter((v) => v === kind).length]);
}

function actions(proposal) {
  const accept = h('button', {type: 'button', class: 'primary accept-proposal', disabled: !proposal.valid, 'aria-label': 'Accept the proposal',
    title: proposal.valid ? 'Save it as a workflow version' : 'An invalid proposal cannot be accepted'}, 'Accept');
  const discard = h('button', {type: 'button', class: 'discard-proposal', 'aria-label': 'Discard the proposal'}, 'Discard');
  accept.addEventListener('click', () => acceptProposal(proposal).catch((e) => showError(e, 'Cannot accept')));
  discard.addEventListener('click', () => discardProposal(proposal).catch((e) => showError(e, 'Cannot discard')));
  return [accept, discard];
}

function renderBanner(proposal, diff) {
  const banner = document.getElementById('preview-banner');
  banner.hidden = false;
  banner.replaceChildren(h('strong', {}, `Proposal: ${proposal.workflow_name}`),
    h('span', {class: proposal.valid ? 'valid-yes' : 'valid-no'}, proposal.valid ? 'valid' : 'invalid'),
    state.preview.editing ? h('span', {class: 'legend'}, counts(diff).map(([kind, n]) => h('span', {class: kind}, `${n} ${kind}`))) : null,
    ...actions(proposal));
}

function renderReport(proposal, diff) {
  const problems = Array.isArray(proposal.problems) ? proposal.problems : (proposal.problems?.problems || []);
  document.getElementById('proposal').replaceChildren(h('div', {class: 'card', id: 'proposal-report', dataset: {proposal: proposal.id, valid: String(proposal.valid)}},
    h('h4', {}, proposal.workflow_name, ' ', h('span', {class: proposal.valid ? 'valid-yes' : 'valid-no'}, proposal.valid ? '✓ valid' : '✗ invalid')),
    h('p', {}, proposal.explanation),
    proposal.assumptions?.length ? [h('strong', {}, 'Assumed'), h('ul', {}, proposal.assumptions.map((a) => h('li', {}, a)))] : null,
    problems.length ? [h('strong', {}, 'Validation report'), h('ul', {class: 'list'}, problems.map((p) => h('li', {class: `problem ${p.severity}`}, describeProblem(p))))] : h('p', {class: 'muted'}, 'The validator found no problem.'),
    h('p', {class: 'muted'}, `${proposal.provider} · ${proposal.model} · ${proposal.rounds?.length || 0} round(s) · ${proposal.latency_ms} ms · ${proposal.prompt_tokens + proposal.completion_tokens} tokens`),
    state.preview.editing ? h('p', {class: 'legend'}, counts(diff).map(([kind, n]) => h('span', {class: kind}, `${n} ${kind}`))) : null,
    proposal.diff ? h('details', {}, h('summary', {}, 'Line diff'), h('pre', {}, proposal.diff)) : null,
    h('details', {}, h('summary', {}, 'YAML'), h('pre', {}, proposal.definition || '')),
    h('div', {class: 'row'}, ...actions(proposal))));
}

function endPreview() {
  state.preview = null;
  document.getElementById('preview-banner').hidden = true;
  emit('preview', null);
}

async function acceptProposal(proposal) {
  const saved = await api.post(`proposals/${encodeURIComponent(proposal.id)}/accept`);
  endPreview();
  document.getElementById('proposal').replaceChildren(h('p', {class: 'valid-yes', id: 'proposal-accepted'}, `Accepted: ${saved.name} version ${saved.version}.`));
  notify('success', `Accepted: ${saved.name}`, `Saved as version ${saved.version}.`);
  await openWorkflow(saved.workflow_id, {force: true});
}

async function discardProposal(proposal) {
  await api.post(`proposals/${encodeURIComponent(proposal.id)}/discard`);
  endPreview();
  document.getElementById('proposal').replaceChildren(h('p', {class: 'muted'}, 'Proposal discarded.'));
  requestAnimationFrame(fit);
}
