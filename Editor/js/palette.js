// The palette: node types by category from the registry, searchable. An item is dragged onto the canvas with pointer
// events (a ghost follows the pointer; releasing over the canvas adds the node there), or added with Enter.
import {h} from './dom.js';
import {groupedTypes} from './registry.js';
import {addNode, canvasRect, toCanvas} from './canvas.js';

let drag = null;

export function initPalette() {
  const search = document.getElementById('palette-search');
  search.addEventListener('input', () => draw(search.value));
  search.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') document.querySelector('.palette-item')?.focus();
  });
  document.addEventListener('pointermove', move);
  document.addEventListener('pointerup', drop);
  draw('');
}

function draw(filter) {
  const groups = groupedTypes(filter);
  const container = document.getElementById('palette-groups');
  container.replaceChildren();
  if (!groups.size) container.append(h('p', {class: 'muted'}, 'No node type matches.'));
  for (const [category, types] of groups) {
    const list = h('div', {role: 'group', 'aria-label': `${category} nodes`});
    for (const type of types) {
      const item = h('button', {type: 'button', class: 'palette-item', dataset: {type: type.id, category},
        title: type.description, 'aria-label': `Add ${type.display_name} (${type.id})`},
        type.display_name, h('small', {}, type.id));
      item.addEventListener('pointerdown', (event) => start(event, type));
      // A click (mouse, or Enter / Space on the focused item) adds the node in the middle of the view.
      item.addEventListener('click', () => addNode(type.id));
      list.append(item);
    }
    container.append(h('h3', {}, category), list);
  }
}

function start(event, type) {
  if (event.button !== 0) return;
  event.preventDefault();
  drag = {type, x: event.clientX, y: event.clientY, ghost: null};
}

function move(event) {
  if (!drag) return;
  if (!drag.ghost) {
    if (Math.abs(event.clientX - drag.x) + Math.abs(event.clientY - drag.y) < 4) return;
    drag.ghost = h('div', {class: 'drag-ghost', 'aria-hidden': 'true'}, drag.type.display_name);
    document.body.append(drag.ghost);
  }
  drag.ghost.style.left = `${event.clientX + 6}px`;
  drag.ghost.style.top = `${event.clientY + 6}px`;
}

function drop(event) {
  if (!drag) return;
  const {type, ghost} = drag;
  drag = null;
  if (!ghost) return;
  ghost.remove();
  const rect = canvasRect();
  if (event.clientX < rect.left || event.clientX > rect.right || event.clientY < rect.top || event.clientY > rect.bottom) return;
  const point = toCanvas(event.clientX, event.clientY);
  addNode(type.id, {x: point.x - 20, y: point.y - 20});
}
