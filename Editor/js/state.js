// The editor's state: the workflow being edited, where it is stored, the selection, the validator's problems and the
// statuses of a run shown on the canvas. Every change to the workflow goes through mutate(), which records undo.
import {emit} from './events.js';
import {History} from './history.js';

export const state = {
  doc: emptyDoc(),
  workflowId: null,
  version: null,
  savedName: null,
  savedSnapshot: null,
  selection: new Set(),
  selectedEdge: null,
  problems: [],
  statuses: new Map(),
  preview: null,
  view: {x: 40, y: 40, k: 1},
};

export const history = new History();

export function emptyDoc(name = 'Untitled workflow') {
  return {name, nodes: [], edges: []};
}

export function snapshot() {
  return JSON.stringify(state.doc);
}

/** Applies `change(doc)` as one undoable step and announces it. */
export function mutate(change) {
  const before = snapshot();
  change(state.doc);
  if (snapshot() === before) return;
  history.record(before);
  changed();
}

/** Announces a change made outside mutate (undo, redo, load). */
export function changed() {
  pruneSelection();
  emit('doc', state.doc);
  emit('dirty', isDirty());
}

export function isDirty() {
  return state.savedSnapshot !== snapshot();
}

export function undo() {
  const previous = history.undo(snapshot());
  if (previous) { state.doc = JSON.parse(previous); changed(); }
}

export function redo() {
  const next = history.redo(snapshot());
  if (next) { state.doc = JSON.parse(next); changed(); }
}

/** Replaces the whole document (open, import, rollback…); `stored` is the workflow's record when it is saved. */
export function load(doc, stored = null) {
  state.doc = normalise(doc);
  state.workflowId = stored?.id ?? null;
  state.version = stored?.version ?? null;
  state.savedName = stored?.name ?? null;
  state.savedSnapshot = stored ? snapshot() : null;
  state.selection.clear();
  state.selectedEdge = null;
  state.statuses.clear();
  history.clear();
  emit('loaded', state);
  changed();
  emit('statuses', state.statuses);
}

/** Marks the current document as the stored version. */
export function markSaved(record) {
  state.workflowId = record.id;
  state.version = record.version;
  state.savedName = record.name;
  state.savedSnapshot = snapshot();
  emit('loaded', state);
  emit('dirty', false);
}

/** Accepts the API's and the file's shapes: {workflow: {...}} or the workflow itself. */
export function normalise(value) {
  const doc = structuredClone(value?.workflow && !value.nodes ? value.workflow : value || {});
  doc.name = doc.name || 'Untitled workflow';
  doc.nodes = Array.isArray(doc.nodes) ? doc.nodes : [];
  doc.edges = Array.isArray(doc.edges) ? doc.edges : [];
  for (const edge of doc.edges) {
    if (edge.from && !edge.source) { edge.source = edge.from; delete edge.from; }
    if (edge.to && !edge.target) { edge.target = edge.to; delete edge.to; }
    if (edge.branch !== undefined) edge.branch = String(edge.branch);
  }
  return doc;
}

export function nodeById(id, doc = state.doc) {
  return doc.nodes.find((node) => node.id === id);
}

export function select(ids, {add = false} = {}) {
  if (!add) state.selection.clear();
  for (const id of ids) state.selection.add(id);
  state.selectedEdge = null;
  emit('selection', state.selection);
}

export function toggleSelected(id) {
  if (state.selection.has(id)) state.selection.delete(id); else state.selection.add(id);
  state.selectedEdge = null;
  emit('selection', state.selection);
}

export function selectEdge(index) {
  state.selection.clear();
  state.selectedEdge = index;
  emit('selection', state.selection);
}

function pruneSelection() {
  for (const id of [...state.selection]) if (!nodeById(id)) state.selection.delete(id);
  if (state.selectedEdge !== null && !state.doc.edges[state.selectedEdge]) state.selectedEdge = null;
}

/** The document the canvas shows: the proposal while one is previewed, else the workflow. */
export function shownDoc() {
  return state.preview ? state.preview.doc : state.doc;
}
