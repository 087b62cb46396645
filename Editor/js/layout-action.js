// The auto-layout command: lays the workflow out as layered columns, as one undoable step.
import {layeredPositions} from './layout.js';
import {state, mutate} from './state.js';
import {fit} from './canvas.js';

export function autoLayout() {
  if (state.preview || !state.doc.nodes.length) return;
  const positions = layeredPositions(state.doc.nodes, state.doc.edges);
  mutate((doc) => { for (const node of doc.nodes) node.position = positions[node.id]; });
  requestAnimationFrame(fit);
}
