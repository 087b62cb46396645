// Auto-layout: a layered drawing of the DAG (Sugiyama-style). Back edges (a loop body returning to its loop) are
// ignored for layering; layers come from the longest path; order within a layer from barycentre sweeps.
import {nodeHeight} from './geometry.js';

const COLUMN = 270;
const ROW_GAP = 36;
const ORIGIN = 40;

/** Returns {id: {x, y}} for every node. */
export function layeredPositions(nodes, edges) {
  const ids = nodes.map((node) => node.id);
  const known = new Set(ids);
  const forward = acyclicEdges(ids, edges.filter((e) => known.has(e.source) && known.has(e.target) && e.source !== e.target));
  const layer = longestPathLayers(ids, forward);
  const layers = [];
  for (const id of ids) (layers[layer.get(id)] ||= []).push(id);
  orderLayers(layers, forward);
  const heights = new Map(nodes.map((node) => [node.id, nodeHeight(node)]));
  const columnHeight = (column) => column.reduce((sum, id) => sum + heights.get(id) + ROW_GAP, -ROW_GAP);
  const tallest = Math.max(0, ...layers.map((column) => columnHeight(column || [])));
  const result = {};
  layers.forEach((column = [], index) => {
    let y = ORIGIN + (tallest - columnHeight(column)) / 2;
    for (const id of column) {
      result[id] = {x: ORIGIN + index * COLUMN, y: Math.round(y)};
      y += heights.get(id) + ROW_GAP;
    }
  });
  return result;
}

function acyclicEdges(ids, edges) {
  const outgoing = new Map(ids.map((id) => [id, []]));
  for (const edge of edges) outgoing.get(edge.source).push(edge);
  const state = new Map();
  const kept = [];
  const visit = (id) => {
    state.set(id, 'active');
    for (const edge of outgoing.get(id)) {
      const mark = state.get(edge.target);
      if (mark === 'active') continue;
      kept.push(edge);
      if (!mark) visit(edge.target);
    }
    state.set(id, 'done');
  };
  const incoming = new Set(edges.map((e) => e.target));
  for (const id of ids) if (!incoming.has(id) && !state.get(id)) visit(id);
  for (const id of ids) if (!state.get(id)) visit(id);
  return kept;
}

function longestPathLayers(ids, edges) {
  const layer = new Map(ids.map((id) => [id, 0]));
  const indegree = new Map(ids.map((id) => [id, 0]));
  for (const edge of edges) indegree.set(edge.target, indegree.get(edge.target) + 1);
  const queue = ids.filter((id) => indegree.get(id) === 0);
  while (queue.length) {
    const id = queue.shift();
    for (const edge of edges) {
      if (edge.source !== id) continue;
      layer.set(edge.target, Math.max(layer.get(edge.target), layer.get(id) + 1));
      indegree.set(edge.target, indegree.get(edge.target) - 1);
      if (indegree.get(edge.target) === 0) queue.push(edge.target);
    }
  }
  return layer;
}

function orderLayers(layers, edges) {
  const index = new Map();
  const reindex = () => layers.forEach((column = []) => column.forEach((id, i) => index.set(id, i)));
  reindex();
  const sweep = (neighbours, range) => {
    for (const l of range) {
      const column = layers[l];
      if (!column) continue;
      const centre = new Map(column.map((id) => {
        const around = neighbours(id).map((other) => index.get(other));
        return [id, around.length ? around.reduce((a, b) => a + b, 0) / around.length : index.get(id)];
      }));
      column.sort((a, b) => centre.get(a) - centre.get(b));
      column.forEach((id, i) => index.set(id, i));
    }
  };
  const preds = (id) => edges.filter((e) => e.target === id).map((e) => e.source);
  const succs = (id) => edges.filter((e) => e.source === id).map((e) => e.target);
  const down = [...layers.keys()].slice(1);
  const up = [...layers.keys()].reverse().slice(1);
  for (let round = 0; round < 4; round++) {
    sweep(preds, down);
    sweep(succs, up);
  }
}

/** Gives every node without a position one from the layout; answers whether any was missing. */
export function ensurePositions(doc) {
  if (doc.nodes.every((node) => node.position && Number.isFinite(Number(node.position.x)))) return false;
  const positions = layeredPositions(doc.nodes, doc.edges);
  for (const node of doc.nodes) if (!node.position) node.position = positions[node.id];
  return true;
}
