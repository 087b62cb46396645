// Writes the workflow document as YAML, for Export while it has unsaved changes (a saved, unchanged workflow is
// exported as the server's own YAML: GET /api/v1/workflows/{id}?format=yaml). It stays on the client because the API
// has no route that turns an unsaved document into YAML. Reading YAML is the server's job: imports go through
// POST /api/v1/validate, which answers the workflow as read.

const NODE_ORDER = ['id', 'type', 'name', 'configuration', 'error_handling', 'retry_count', 'retry', 'timeout', 'position', 'disabled', 'notes'];
const WORKFLOW_ORDER = ['name', 'description', 'tags', 'settings', 'nodes', 'edges'];

/** The workflow document as YAML, in the canonical key order. */
export function workflowToYAML(doc) {
  const ordered = orderKeys(doc, WORKFLOW_ORDER);
  ordered.nodes = (doc.nodes || []).map((node) => orderKeys(node, NODE_ORDER));
  return lines({workflow: ordered}, 0).join('\n') + '\n';
}

function orderKeys(object, order) {
  const result = {};
  for (const key of order) if (object[key] !== undefined) result[key] = object[key];
  for (const key of Object.keys(object)) if (!(key in result)) result[key] = object[key];
  return result;
}

function isScalar(value) {
  return value === null || typeof value !== 'object';
}

function lines(value, indent) {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (isScalar(item) || isFlowable(item)) return [`${pad}- ${inline(item)}`];
      const inner = lines(item, indent + 2);
      inner[0] = `${pad}- ${inner[0].slice(indent + 2)}`;
      return inner;
    });
  }
  return Object.entries(value).flatMap(([key, item]) => {
    const name = plainKey(key);
    if (typeof item === 'string' && fitsBlock(item)) {
      return [`${pad}${name}: ${blockHeader(item)}`, ...item.replace(/\n$/, '').split('\n').map((l) => (l ? `${pad}  ${l}` : ''))];
    }
    if (isScalar(item) || isFlowable(item)) return [`${pad}${name}: ${inline(item)}`];
    return [`${pad}${name}:`, ...lines(item, indent + 2)];
  });
}

/** Multi-line text is written as a | block unless it holds characters a block cannot (control characters, CR). */
function fitsBlock(text) {
  return text.includes('\n') && !/[\x00-\x08\x0b-\x1f\x7f]/.test(text);
}

/** `|` keeps one final newline, `|-` none, `|+` all; a first line starting with a space needs the indentation (2). */
function blockHeader(text) {
  const indentation = /^\n*[ \t]/.test(text) ? '2' : '';
  const chomping = text.endsWith('\n') ? (text.endsWith('\n\n') ? '+' : '') : '-';
  return `|${indentation}${chomping}`;
}

/** Empty collections, short lists of scalars and small mappings of scalars are written inline. */
function isFlowable(value) {
  const oneLine = (v) => isScalar(v) && (typeof v !== 'string' || !v.includes('\n'));
  if (Array.isArray(value)) return value.length === 0 || (value.every(oneLine) && JSON.stringify(value).length < 80);
  const entries = Object.entries(value);
  return entries.length === 0 || (entries.length <= 4 && entries.every(([, v]) => oneLine(v)) && JSON.stringify(value).length < 80);
}

function inline(value) {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (value && typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${plainKey(k)}: ${inline(v)}`).join(', ')}}`;
  if (typeof value === 'string') return quoteIfNeeded(value);
  if (value === null || value === undefined) return 'null';
  return String(value);
}

function plainKey(key) {
  return /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key) && readsAsText(key) ? key : JSON.stringify(key);
}

function quoteIfNeeded(text) {
  const plain = text !== '' && readsAsText(text) && text === text.trim() &&
    !/^[-?:,[\]{}#&*!|>'"%@`]/.test(text) && !/[:#]\s|\s#|:$|[{}[\],]/.test(text) && !/[\x00-\x1f\x7f]/.test(text);
  return plain ? text : JSON.stringify(text);
}

/** Whether a plain scalar reads back as text under the YAML 1.2 core schema (not null, a boolean or a number). */
function readsAsText(text) {
  return ![
    /^(null|Null|NULL|~)?$/, /^(true|True|TRUE|false|False|FALSE)$/, /^[-+]?[0-9]+$/, /^0x[0-9a-fA-F]+$/, /^0o[0-7]+$/,
    /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/, /^[-+]?\.(inf|Inf|INF)$/, /^\.(nan|NaN|NAN)$/,
  ].some((pattern) => pattern.test(text));
}
