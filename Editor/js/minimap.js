// The minimap: every node as a small box and the visible part of the canvas as a frame; click or drag to move there.
import {svg} from './dom.js';
import {on} from './events.js';
import {NODE_WIDTH, nodeHeight, position, bounds} from './geometry.js';
import {state, shownDoc} from './state.js';
import {canvasRect, setView} from './canvas.js';

const element = () => document.getElementById('minimap');
let frame = null;

export function initMinimap() {
  on('rendered', draw);
  on('view', draw);
  let dragging = false;
  const move = (event) => {
    if (!frame) return;
    const rect = element().getBoundingClientRect();
    const x = frame.x + (event.clientX - rect.left) / frame.scale;
    const y = frame.y + (event.clientY - rect.top) / frame.scale;
    const view = canvasRect();
    setView({k: state.view.k, x: view.width / 2 - x * state.view.k, y: view.height / 2 - y * state.view.k});
  };
  element().addEventListener('pointerdown', (event) => { dragging = true; move(event); event.preventDefault(); });
  document.addEventListener('pointermove', (event) => { if (dragging) move(event); });
  document.addEventListener('pointerup', () => { dragging = false; });
}

function draw() {
  const map = element();
  const doc = shownDoc();
  const view = canvasRect();
  const visible = {x: -state.view.x / state.view.k, y: -state.view.y / state.view.k, width: view.width / state.view.k, height: view.height / state.view.k};
  const box = bounds(doc.nodes) || visible;
  const all = {x: Math.min(box.x, visible.x) - 20, y: Math.min(box.y, visible.y) - 20};
  all.width = Math.max(box.x + box.width, visible.x + visible.width) + 20 - all.x;
  all.height = Math.max(box.y + box.height, visible.y + visible.height) + 20 - all.y;
  const width = map.clientWidth || 200, height = map.clientHeight || 130;
  const scale = Math.min(width / all.width, height / all.height);
  frame = {x: all.x, y: all.y, scale};
  const invalid = new Set(state.problems.filter((p) => p.severity !== 'warning').map((p) => p.node_id));
  const g = svg('g', {transform: `scale(${scale}) translate(${-all.x} ${-all.y})`});
  for (const node of doc.nodes) {
    const p = position(node);
    const classes = ['mini-node', state.selection.has(node.id) ? 'selected' : '', invalid.has(node.id) ? 'invalid' : ''].join(' ');
    g.append(svg('rect', {class: classes, x: p.x, y: p.y, width: NODE_WIDTH, height: nodeHeight(node), rx: 8}));
  }
  g.append(svg('rect', {class: 'mini-view', ...visible}));
  map.replaceChildren(g);
}
