// Where things are drawn: node sizes and port positions, shared by the canvas, the minimap and the layout.
import {branchesOf, hasMainOutput} from './registry.js';

export const NODE_WIDTH = 200;
const HEADER = 30;
const PORT_GAP = 20;

/** The node's output ports: {branch (null for the main output), y}. */
export function outputPorts(node) {
  const ports = [];
  if (hasMainOutput(node)) ports.push(null);
  for (const branch of branchesOf(node)) ports.push(branch);
  return ports.map((branch, index) => ({branch, y: HEADER + index * PORT_GAP}));
}

export function nodeHeight(node) {
  return Math.max(62, HEADER + outputPorts(node).length * PORT_GAP + 14);
}

export function position(node) {
  return {x: Number(node.position?.x) || 0, y: Number(node.position?.y) || 0};
}

export function inputPoint(node) {
  const {x, y} = position(node);
  return {x, y: y + HEADER};
}

export function outputPoint(node, branch) {
  const {x, y} = position(node);
  const ports = outputPorts(node);
  const port = ports.find((p) => (p.branch ?? null) === (branch ?? null)) || ports[0] || {y: HEADER};
  return {x: x + NODE_WIDTH, y: y + port.y};
}

/** The bounding box of the nodes, or null when there are none. */
export function bounds(nodes) {
  if (!nodes.length) return null;
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const node of nodes) {
    const {x, y} = position(node);
    minX = Math.min(minX, x); minY = Math.min(minY, y);
    maxX = Math.max(maxX, x + NODE_WIDTH); maxY = Math.max(maxY, y + nodeHeight(node));
  }
  return {x: minX, y: minY, width: maxX - minX, height: maxY - minY};
}

/** A cubic curve from an output to an input. */
export function edgePath(from, to) {
  const dx = Math.max(40, Math.abs(to.x - from.x) / 2);
  return `M ${from.x} ${from.y} C ${from.x + dx} ${from.y}, ${to.x - dx} ${to.y}, ${to.x} ${to.y}`;
}
