// The SVG canvas: draws the workflow (or a previewed proposal) and handles pan, zoom, moving, connecting, selecting
// and rubber-band selection with pointer events (no HTML5 drag and drop, so real mouse input and tests drive it).
import {svg, duration} from './dom.js';
import {emit, on} from './events.js';
import {NODE_WIDTH, nodeHeight, outputPorts, position, inputPoint, outputPoint, edgePath, bounds} from './geometry.js';
import {typeOf, newNodeId} from './registry.js';
import {state, history, mutate, changed, nodeById, select, toggleSelected, selectEdge, shownDoc, snapshot} from './state.js';

const element = () => document.getElementById('canvas');
const viewport = () => document.getElementById('viewport');
let gesture = null;

export function initCanvas() {
  const canvas = element();
  canvas.addEventListener('pointerdown', pointerDown);
  canvas.addEventListener('wheel', wheel, {passive: false});
  canvas.addEventListener('dblclick', (event) => { if (!event.target.closest('.node')) fit(); });
  canvas.addEventListener('keydown', (event) => {
    const node = event.target.closest?.('.node');
    if (node && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      select([node.dataset.id]);
      emit('open-config', node.dataset.id);
    }
  });
  canvas.addEventListener('focusin', (event) => {
    const node = event.target.closest?.('.node');
    if (node && !state.selection.has(node.dataset.id) && !gesture) select([node.dataset.id]);
  });
  document.addEventListener('pointermove', pointerMove);
  document.addEventListener('pointerup', pointerUp);
  document.addEventListener('pointercancel', pointerUp);
  new ResizeObserver(() => emit('view', state.view)).observe(canvas);
  for (const name of ['doc', 'selection', 'problems', 'statuses', 'preview']) on(name, render);
  on('view', applyView);
}

/** The point of the canvas under a screen position. */
export function toCanvas(clientX, clientY) {
  const rect = element().getBoundingClientRect();
  return {x: (clientX - rect.left - state.view.x) / state.view.k, y: (clientY - rect.top - state.view.y) / state.view.k};
}

export function canvasRect() {
  return element().getBoundingClientRect();
}

function applyView() {
  const {x, y, k} = state.view;
  viewport().setAttribute('transform', `translate(${x} ${y}) scale(${k})`);
}

export function setView(view) {
  state.view = {...view, k: Math.min(2.5, Math.max(0.2, view.k))};
  emit('view', state.view);
}

/** Zooms by `factor` around a screen point (the centre by default). */
export function zoom(factor, clientX, clientY) {
  const rect = element().getBoundingClientRect();
  const cx = clientX ?? rect.left + rect.width / 2;
  const cy = clientY ?? rect.top + rect.height / 2;
  const k = Math.min(2.5, Math.max(0.2, state.view.k * factor));
  const point = toCanvas(cx, cy);
  setView({k, x: cx - rect.left - point.x * k, y: cy - rect.top - point.y * k});
}

/** Shows every node. */
export function fit() {
  const box = bounds(shownDoc().nodes);
  const rect = element().getBoundingClientRect();
  if (!box || !rect.width) return;
  const k = Math.min(1.2, Math.max(0.2, Math.min((rect.width - 80) / box.width, (rect.height - 80) / box.height)));
  setView({k, x: (rect.width - box.width * k) / 2 - box.x * k, y: (rect.height - box.height * k) / 2 - box.y * k});
}

function wheel(event) {
  event.preventDefault();
  zoom(event.deltaY < 0 ? 1.1 : 1 / 1.1, event.clientX, event.clientY);
}

/** Adds a node of `typeId` at a canvas point (the visible centre when none) and selects it. */
export function addNode(typeId, point) {
  if (state.preview) return null;
  const rect = element().getBoundingClientRect();
  const at = point || toCanvas(rect.left + rect.width / 2 - NODE_WIDTH / 2, rect.top + rect.height / 3);
  const id = newNodeId(typeId, state.doc.nodes);
  const count = state.doc.nodes.length;
  mutate((doc) => {
    doc.nodes.push({id, type: typeId, position: {x: Math.round(at.x + (point ? 0 : (count % 5) * 12)), y: Math.round(at.y + (point ? 0 : (count % 5) * 12))}});
  });
  select([id]);
  emit('open-config', id);
  focusNode(id);
  return id;
}

/** Adds an edge unless it exists or joins a node to itself. */
export function connect(source, target, branch) {
  if (source === target || state.preview) return false;
  const exists = state.doc.edges.some((e) => e.source === source && e.target === target && (e.branch ?? null) === (branch ?? null));
  if (exists) return false;
  mutate((doc) => doc.edges.push(branch ? {source, target, branch} : {source, target}));
  return true;
}

/** Deletes the selected nodes (with their edges) or the selected edge. */
export function deleteSelection() {
  if (state.preview) return;
  if (state.selectedEdge !== null) {
    const index = state.selectedEdge;
    mutate((doc) => doc.edges.splice(index, 1));
    state.selectedEdge = null;
    emit('selection', state.selection);
    return;
  }
  const ids = new Set(state.selection);
  if (!ids.size) return;
  mutate((doc) => {
    doc.nodes = doc.nodes.filter((node) => !ids.has(node.id));
    doc.edges = doc.edges.filter((edge) => !ids.has(edge.source) && !ids.has(edge.target));
  });
  state.selection.clear();
  emit('selection', state.selection);
}

/** Moves the selected nodes by (dx, dy) as one undoable step. */
export function nudgeSelection(dx, dy) {
  if (state.preview || !state.selection.size) return;
  mutate((doc) => {
    for (const node of doc.nodes) if (state.selection.has(node.id)) {
      const p = position(node);
      node.position = {x: p.x + dx, y: p.y + dy};
    }
  });
}

export function focusNode(id) {
  const target = element().querySelector(`.node[data-id="${CSS.escape(id)}"]`);
  target?.focus({preventScroll: true});
}

function pointerDown(event) {
  if (event.button !== 0) return;
  const canvas = element();
  const port = event.target.closest('.port-out');
  const nodeElement = event.target.closest('.node');
  const edgeElement = event.target.closest('.edge');
  const start = {clientX: event.clientX, clientY: event.clientY};
  if (port && !state.preview) {
    event.preventDefault();
    const line = svg('path', {class: 'connecting'});
    document.getElementById('overlay-layer').append(line);
    gesture = {kind: 'connect', source: port.dataset.node, branch: port.dataset.branch || null, line, start};
  } else if (nodeElement) {
    const id = nodeElement.dataset.id;
    if (event.shiftKey) toggleSelected(id);
    else if (!state.selection.has(id)) select([id]);
    emit('open-config', id);
    if (state.preview) return;
    event.preventDefault();
    focusNode(id);
    const origins = new Map(state.doc.nodes.filter((n) => state.selection.has(n.id)).map((n) => [n.id, position(n)]));
    gesture = {kind: 'move', origins, before: snapshot(), start, moved: false};
  } else if (edgeElement) {
    if (!state.preview) selectEdge(Number(edgeElement.dataset.index));
    canvas.focus({preventScroll: true});
  } else if (event.shiftKey) {
    event.preventDefault();
    const band = svg('rect', {class: 'rubber-band'});
    document.getElementById('overlay-layer').append(band);
    gesture = {kind: 'band', band, origin: toCanvas(event.clientX, event.clientY), start, add: true};
  } else {
    event.preventDefault();
    canvas.focus({preventScroll: true});
    canvas.classList.add('panning');
    gesture = {kind: 'pan', view: {...state.view}, start, moved: false};
  }
}

function pointerMove(event) {
  if (!gesture) return;
  const dx = event.clientX - gesture.start.clientX;
  const dy = event.clientY - gesture.start.clientY;
  if (Math.abs(dx) + Math.abs(dy) > 3) gesture.moved = true;
  if (gesture.kind === 'pan') {
    setView({...gesture.view, x: gesture.view.x + dx, y: gesture.view.y + dy});
  } else if (gesture.kind === 'move' && gesture.moved) {
    for (const [id, origin] of gesture.origins) {
      const node = nodeById(id);
      if (node) node.position = {x: Math.round(origin.x + dx / state.view.k), y: Math.round(origin.y + dy / state.view.k)};
    }
    render();
  } else if (gesture.kind === 'connect') {
    const source = nodeById(gesture.source);
    const from = outputPoint(source, gesture.branch);
    gesture.line.setAttribute('d', edgePath(from, toCanvas(event.clientX, event.clientY)));
    markTarget(event);
  } else if (gesture.kind === 'band') {
    const p = toCanvas(event.clientX, event.clientY);
    const box = {x: Math.min(p.x, gesture.origin.x), y: Math.min(p.y, gesture.origin.y), width: Math.abs(p.x - gesture.origin.x), height: Math.abs(p.y - gesture.origin.y)};
    Object.entries(box).forEach(([k, v]) => gesture.band.setAttribute(k, v));
    gesture.box = box;
  }
}

function targetNodeAt(event) {
  const hit = document.elementFromPoint(event.clientX, event.clientY);
  return hit?.closest?.('.node')?.dataset.id || null;
}

function markTarget(event) {
  element().querySelectorAll('.port.target').forEach((p) => p.classList.remove('target'));
  const id = targetNodeAt(event);
  if (id && id !== gesture.source) element().querySelector(`.node[data-id="${CSS.escape(id)}"] .port-in`)?.classList.add('target');
}

function pointerUp(event) {
  if (!gesture) return;
  const done = gesture;
  gesture = null;
  element().classList.remove('panning');
  if (done.kind === 'move' && done.moved) {
    history.record(done.before);
    changed();
  } else if (done.kind === 'pan' && !done.moved) {
    select([]);
  } else if (done.kind === 'connect') {
    done.line.remove();
    const target = targetNodeAt(event);
    if (target) connect(done.source, target, done.branch);
    render();
  } else if (done.kind === 'band') {
    done.band.remove();
    if (done.box) {
      const inside = shownDoc().nodes.filter((node) => {
        const p = position(node);
        return p.x < done.box.x + done.box.width && p.x + NODE_WIDTH > done.box.x && p.y < done.box.y + done.box.height && p.y + nodeHeight(node) > done.box.y;
      });
      select(inside.map((node) => node.id), {add: true});
    }
  }
}

/** Redraws everything from the state. */
export function render() {
  const doc = shownDoc();
  const focused = document.activeElement?.closest?.('.node')?.dataset.id;
  const edgesLayer = document.getElementById('edges-layer');
  const nodesLayer = document.getElementById('nodes-layer');
  edgesLayer.replaceChildren(...doc.edges.map((edge, index) => drawEdge(doc, edge, index)).filter(Boolean));
  nodesLayer.replaceChildren(...doc.nodes.map((node) => drawNode(node)));
  document.getElementById('canvas-empty').hidden = doc.nodes.length > 0;
  applyView();
  if (focused && !gesture) focusNode(focused);
  emit('rendered', doc);
}

function problemsOf(id) {
  return state.preview ? [] : state.problems.filter((p) => p.node_id === id && p.severity !== 'warning');
}

function drawNode(node) {
  const type = typeOf(node);
  const {x, y} = position(node);
  const height = nodeHeight(node);
  const problems = problemsOf(node.id);
  const run = state.preview ? null : state.statuses.get(node.id);
  const diff = state.preview?.diff.nodes[node.id];
  const classes = ['node'];
  if (state.selection.has(node.id)) classes.push('selected');
  if (problems.length) classes.push('invalid');
  if (node.disabled) classes.push('disabled');
  if (run) classes.push(`status-${run.status}`);
  if (diff) classes.push(`diff-${diff}`);
  const label = `Node ${node.id}, ${type?.display_name || node.type}` + (run ? `, ${run.status}` : '') +
    (problems.length ? `, ${problems.length} problem(s)` : '') + (diff ? `, ${diff}` : '');
  const group = svg('g', {class: classes.join(' '), 'data-id': node.id, transform: `translate(${x} ${y})`, tabindex: '0',
    role: 'button', 'aria-label': label, 'data-status': run?.status || '', 'data-diff': diff || ''});
  group.append(
    svg('rect', {class: 'body', width: NODE_WIDTH, height, rx: 8}),
    svg('rect', {class: `stripe ${type?.category || ''}`, x: 0, y: 0, width: 6, height, rx: 3}),
    svg('text', {class: 'title', x: 14, y: 19}, truncate(node.name || node.id, 22)),
    svg('text', {class: 'sub', x: 14, y: 35}, truncate(type?.display_name || `${node.type} (unknown)`, 26)),
    svg('circle', {class: 'status-dot', cx: NODE_WIDTH - 14, cy: 14, r: 5}),
  );
  if (run) {
    const text = [run.status, run.durationMs !== undefined ? duration(run.durationMs) : '', run.attempts > 1 ? `${run.attempts} attempts` : ''].filter(Boolean).join(' · ');
    group.append(svg('text', {class: 'sub run-text', x: 14, y: height - 8}, text));
  }
  if (diff) group.append(svg('text', {class: 'diff-tag', x: NODE_WIDTH - 60, y: height - 8, fill: `var(--${diff})`}, diff));
  if (problems.length) {
    const badge = svg('g', {class: 'badge', transform: `translate(${NODE_WIDTH - 2} -2)`},
      svg('circle', {r: 10}), svg('text', {'text-anchor': 'middle', y: 4}, String(problems.length)),
      svg('title', {}, problems.map((p) => p.message).join('\n')));
    group.append(badge);
  }
  if (!type?.is_trigger) {
    group.append(svg('circle', {class: 'port port-in', cx: 0, cy: 30, r: 7, 'data-node': node.id},
      svg('title', {}, 'input')));
  }
  for (const port of outputPorts(node)) {
    const circle = svg('circle', {class: `port port-out${port.branch === 'error' ? ' error-port' : ''}`, cx: NODE_WIDTH, cy: port.y, r: 7,
      'data-node': node.id, 'data-branch': port.branch ?? ''}, svg('title', {}, port.branch ? `output ${port.branch}` : 'output'));
    group.append(circle);
    if (port.branch) group.append(svg('text', {class: 'port-label', x: NODE_WIDTH - 11, y: port.y + 3, 'text-anchor': 'end'}, port.branch));
  }
  return group;
}

function drawEdge(doc, edge, index) {
  const source = nodeById(edge.source, doc);
  const target = nodeById(edge.target, doc);
  if (!source || !target) return null;
  const from = outputPoint(source, edge.branch);
  const to = inputPoint(target);
  const d = edgePath(from, to);
  const classes = ['edge'];
  if (!state.preview && state.selectedEdge === index) classes.push('selected');
  if (edge.branch === 'error') classes.push('branch-error');
  if (!state.preview && state.problems.some((p) => p.path?.startsWith(`edges[${index}]`) && p.severity !== 'warning')) classes.push('invalid');
  const diff = state.preview?.diff.edges[edgeKey(edge)];
  if (diff) classes.push(`diff-${diff}`);
  const group = svg('g', {class: classes.join(' '), 'data-index': index, 'data-source': edge.source, 'data-target': edge.target, 'data-branch': edge.branch || ''},
    svg('path', {class: 'hit', d}), svg('path', {class: 'line', d, 'marker-end': 'url(#arrow)'}),
    svg('title', {}, `${edge.source}${edge.branch ? ` (${edge.branch})` : ''} → ${edge.target}`));
  if (edge.branch) group.append(svg('text', {x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 - 4, 'text-anchor': 'middle'}, edge.branch));
  return group;
}

export function edgeKey(edge) {
  return `${edge.source}>${edge.target}>${edge.branch ?? ''}`;
}

function truncate(text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
