// Keyboard shortcuts of the canvas and the editor (docs/EDITOR.md lists them).
import {state, undo, redo, select} from './state.js';
import {deleteSelection, nudgeSelection, zoom, fit} from './canvas.js';
import {autoLayout} from './layout-action.js';
import {save} from './workflow-io.js';
import {showError} from './dom.js';

function typing(target) {
  return Boolean(target.closest?.('input, textarea, select, [contenteditable=true]'));
}

export function initKeyboard() {
  document.addEventListener('keydown', (event) => {
    const mod = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (mod && key === 's') { event.preventDefault(); save().catch((e) => showError(e, 'Save failed')); return; }
    if (document.querySelector('dialog[open]')) return;
    if (typing(event.target)) return;
    if (mod && key === 'z') { event.preventDefault(); if (event.shiftKey) redo(); else undo(); return; }
    if (mod && key === 'y') { event.preventDefault(); redo(); return; }
    const onCanvas = event.target === document.body || event.target.closest?.('#canvas');
    if (!onCanvas) return;
    if (mod && key === 'a') { event.preventDefault(); select(state.doc.nodes.map((n) => n.id)); return; }
    if (mod) return;
    const step = event.shiftKey ? 50 : 10;
    const moves = {arrowleft: [-step, 0], arrowright: [step, 0], arrowup: [0, -step], arrowdown: [0, step]};
    if (key === 'delete' || key === 'backspace') { event.preventDefault(); deleteSelection(); }
    else if (moves[key] && state.selection.size) { event.preventDefault(); nudgeSelection(...moves[key]); }
    else if (key === '+' || key === '=') zoom(1.2);
    else if (key === '-') zoom(1 / 1.2);
    else if (key === '0') fit();
    else if (key === 'l') autoLayout();
    else if (key === 'escape') select([]);
  });
}
