// Expression help: what a node's fields can read — the outputs of the nodes upstream of it (docs/EXPRESSIONS.md).
import {registry} from './registry.js';

/** The ids of the nodes with an edge path to `id`. */
function upstreamOf(id, doc) {
  const seen = new Set();
  const stack = [id];
  while (stack.length) {
    const current = stack.pop();
    for (const edge of doc.edges) {
      if (edge.target === current && !seen.has(edge.source) && edge.source !== id) {
        seen.add(edge.source);
        stack.push(edge.source);
      }
    }
  }
  return doc.nodes.filter((node) => seen.has(node.id));
}

/** Groups of {label, value} a field of node `id` can insert: upstream outputs first, then the built-in roots. */
export function suggestionsFor(id, doc) {
  const groups = [];
  const upstream = upstreamOf(id, doc);
  for (const node of upstream) {
    const type = registry.byId.get(node.type);
    if (!type) continue;
    const root = type.is_trigger ? 'trigger' : node.id;
    const fields = (type.outputs || []).map((output) => ({label: `${root}.${output.name} — ${output.description || output.type}`, value: `{{ ${root}.${output.name} }}`}));
    if (type.id === 'trigger.manual') {
      for (const input of node.configuration?.inputs || []) if (input?.name) fields.push({label: `trigger.${input.name} — input`, value: `{{ trigger.${input.name} }}`});
    }
    if (type.dynamic_outputs) fields.push({label: `${root}.… — any field it writes`, value: `{{ ${root}.FIELD }}`});
    if (node.error_handling === 'branch' || node.error_handling === 'continue') {
      fields.push({label: `${node.id}.error.message — its error`, value: `{{ ${node.id}.error.message }}`});
    }
    if (fields.length) groups.push({label: `${node.id} (${type.display_name})`, fields});
  }
  if (upstream.some((node) => node.type === 'logic.loop')) {
    groups.push({label: 'loop', fields: [{label: 'item — the current element', value: '{{ item }}'}, {label: 'index — its position', value: '{{ index }}'}]});
  }
  groups.push({label: 'run', fields: [
    {label: 'execution.id', value: '{{ execution.id }}'}, {label: 'workflow.name', value: '{{ workflow.name }}'},
    {label: 'secrets.NAME — a stored secret', value: '{{ secrets.NAME }}'}, {label: 'env.NAME — an environment variable', value: '{{ env.NAME }}'},
  ]});
  return groups;
}
