// The node registry from GET /api/v1/registry: types by id, their outputs (named branches) and parameters.
import {api} from './api.js';

export const registry = {types: [], byId: new Map()};

export async function loadRegistry() {
  const types = await api.get('registry');
  registry.types = types;
  registry.byId = new Map(types.map((type) => [type.id, type]));
  return types;
}

export function typeOf(node) {
  return registry.byId.get(node?.type);
}

/** The node's named outputs, in order: a condition's true/false, a switch's cases then default, a loop's loop/done,
 *  and `error` when its error handling is `branch`. An empty list means it has one main output. */
export function branchesOf(node) {
  const type = typeOf(node);
  const branches = [];
  if (type) {
    if (type.branches_from) {
      const cases = node.configuration?.[type.branches_from];
      if (Array.isArray(cases)) for (const item of cases) if (item && item.name) branches.push(String(item.name));
    }
    for (const branch of type.branches || []) if (!branches.includes(branch)) branches.push(branch);
  }
  if (node.error_handling === 'branch') branches.push('error');
  return branches;
}

/** Whether the node keeps a main (unnamed) output beside its branches. */
export function hasMainOutput(node) {
  const type = typeOf(node);
  return !(type && ((type.branches || []).length || type.branches_from));
}

/** A new unique node id derived from the type (`integration.script` → `script`, `script_2`…). */
export function newNodeId(typeId, nodes) {
  const type = registry.byId.get(typeId);
  let base = type?.is_trigger ? 'trigger' : typeId.split('.').pop().replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(base)) base = `n_${base}`;
  const taken = new Set(nodes.map((node) => node.id));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}_${n}`)) return `${base}_${n}`;
}

/** Node types grouped by category, filtered by a search text over id, name and description. */
export function groupedTypes(search = '') {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const groups = new Map();
  for (const type of registry.types) {
    const text = `${type.id} ${type.display_name} ${type.description} ${type.category}`.toLowerCase();
    if (!words.every((word) => text.includes(word))) continue;
    if (!groups.has(type.category)) groups.set(type.category, []);
    groups.get(type.category).push(type);
  }
  return groups;
}
