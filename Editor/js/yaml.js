// A small YAML reader and writer for workflow files: block mappings and sequences, flow collections, plain and quoted
// scalars (YAML 1.2 core schema), | and > block scalars, comments. No anchors, aliases or tags: a file that uses them
// is refused with its line, and the import falls back to the server's reader.

export class YAMLError extends Error {
  constructor(message, line) {
    super(line ? `line ${line}: ${message}` : message);
    this.name = 'YAMLError';
    this.title = 'Unreadable YAML';
    this.detail = this.message;
  }
}

/** Parses YAML text into plain values. */
export function parseYAML(text) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n').map((raw, index) => ({raw, number: index + 1}));
  const reader = new Reader(lines);
  const value = reader.block(-1);
  reader.skipBlank();
  if (reader.index < reader.lines.length) throw new YAMLError('unexpected text (check the indentation)', reader.lines[reader.index].number);
  return value;
}

class Reader {
  constructor(lines) {
    this.lines = lines;
    this.index = 0;
    this.virtual = null;
  }

  /** The next meaningful line as {indent, text, number}, skipping blanks, comments and document markers. */
  peek() {
    if (this.virtual) return this.virtual;
    this.skipBlank();
    const line = this.lines[this.index];
    if (!line) return null;
    const text = stripComment(line.raw);
    const indent = line.raw.length - line.raw.trimStart().length;
    return {indent, text: text.trim(), number: line.number};
  }

  skipBlank() {
    while (this.index < this.lines.length) {
      const trimmed = stripComment(this.lines[this.index].raw).trim();
      if (trimmed && trimmed !== '---' && !trimmed.startsWith('%')) break;
      this.index++;
    }
  }

  next() {
    if (this.virtual) { const line = this.virtual; this.virtual = null; return line; }
    const line = this.peek();
    this.index++;
    return line;
  }

  /** The value of the lines indented more than `parent`. */
  block(parent) {
    const line = this.peek();
    if (!line || line.indent <= parent) return null;
    if (/^[&*!]/.test(line.text)) throw new YAMLError('anchors, aliases and tags are not supported here', line.number);
    if (isItem(line.text)) return this.sequence(line.indent);
    if (keyValue(line.text)) return this.mapping(line.indent);
    this.next();
    return this.inline(line.text, line);
  }

  sequence(indent) {
    const items = [];
    for (let line = this.peek(); line && line.indent === indent && isItem(line.text); line = this.peek()) {
      this.next();
      const rest = line.text.slice(1).trimStart();
      const offset = line.indent + (line.text.length - rest.length);
      if (!rest) items.push(this.block(indent));
      else if (keyValue(rest) && !/^[[{"']/.test(rest)) {
        this.virtual = {indent: offset, text: rest, number: line.number};
        items.push(this.mapping(offset));
      } else if (/^[|>]/.test(rest)) items.push(this.blockScalar(rest, indent));
      else items.push(this.inline(rest, line));
    }
    return items;
  }

  mapping(indent) {
    const object = {};
    for (let line = this.peek(); line && line.indent === indent && !isItem(line.text); line = this.peek()) {
      const pair = keyValue(line.text);
      if (!pair) throw new YAMLError(`expected "key: value", found "${line.text}"`, line.number);
      this.next();
      const key = pair.key;
      if (Object.prototype.hasOwnProperty.call(object, key)) throw new YAMLError(`the key '${key}' is written twice`, line.number);
      if (pair.value === '') {
        const after = this.peek();
        if (after && after.indent === indent && isItem(after.text)) object[key] = this.sequence(indent);
        else object[key] = this.block(indent);
      } else if (/^[|>]/.test(pair.value)) object[key] = this.blockScalar(pair.value, indent);
      else object[key] = this.inline(pair.value, line);
    }
    return object;
  }

  blockScalar(header, parent) {
    const folded = header[0] === '>';
    const chomp = header.includes('-') ? 'strip' : header.includes('+') ? 'keep' : 'clip';
    const explicit = Number((header.match(/\d/) || [])[0]) || 0;
    const collected = [];
    let indent = explicit ? parent + explicit : null;
    while (this.index < this.lines.length) {
      const raw = this.lines[this.index].raw;
      const lead = raw.length - raw.trimStart().length;
      if (raw.trim() === '') { collected.push(''); this.index++; continue; }
      if (indent === null) indent = lead;
      if (lead < indent || lead <= parent) break;
      collected.push(raw.slice(indent));
      this.index++;
    }
    let trailing = 0;
    while (collected.length && collected[collected.length - 1] === '') { collected.pop(); trailing++; }
    let text = folded ? fold(collected) : collected.join('\n');
    if (chomp === 'clip' && collected.length) text += '\n';
    if (chomp === 'keep') text += '\n'.repeat(trailing + 1);
    return text;
  }

  /** A value written on one line (or a flow collection continued on the next lines). */
  inline(text, line) {
    let source = text;
    while (/^[[{]/.test(source) && !balanced(source) && this.index < this.lines.length) {
      source += ' ' + stripComment(this.lines[this.index].raw).trim();
      this.index++;
    }
    const parser = new FlowParser(source, line.number);
    const value = parser.value();
    parser.end();
    return value;
  }
}

function fold(lines) {
  let text = '';
  lines.forEach((line, i) => {
    if (i === 0) text = line;
    else if (line === '' || /^\s/.test(line) || lines[i - 1] === '') text += '\n' + line;
    else text += ' ' + line;
  });
  return text;
}

function isItem(text) {
  return text === '-' || text.startsWith('- ');
}

/** Splits "key: value" (the key plain or quoted); null when the text is not a pair. */
function keyValue(text) {
  let key, rest;
  if (text[0] === '"' || text[0] === "'") {
    const end = closingQuote(text, 0);
    if (end < 0) return null;
    key = unquote(text.slice(0, end + 1));
    rest = text.slice(end + 1);
    if (!/^\s*:(\s|$)/.test(rest)) return null;
    return {key, value: rest.replace(/^\s*:/, '').trim()};
  }
  if (/^[[{]/.test(text)) return null;
  const match = text.match(/^([^#:]+?|[^#]*?[^\s]):(\s+|$)(.*)$/);
  if (!match || match[1].includes(': ')) return null;
  key = match[1].trim();
  rest = match[3];
  return {key, value: rest.trim()};
}

function closingQuote(text, start) {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') { i++; continue; }
    if (text[i] === quote) {
      if (quote === "'" && text[i + 1] === "'") { i++; continue; }
      return i;
    }
  }
  return -1;
}

function stripComment(raw) {
  let quote = null;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (quote) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      if (i === 0 || /[\s[{,:-]/.test(raw[i - 1])) quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(raw[i - 1]))) return raw.slice(0, i);
  }
  return raw;
}

function balanced(text) {
  let depth = 0, quote = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) { if (quote === '"' && c === '\\') i++; else if (c === quote) quote = null; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
  }
  return depth <= 0;
}

function unquote(text) {
  if (text[0] === "'") return text.slice(1, -1).replace(/''/g, "'");
  return text.slice(1, -1).replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_, e) => {
    if (e[0] === 'u' || e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return {n: '\n', t: '\t', r: '\r', '0': '\0', '"': '"', '\\': '\\', '/': '/', ' ': ' ', b: '\b', e: '\x1b'}[e] ?? e;
  });
}

/** A plain scalar by the YAML 1.2 core schema. */
function scalar(text) {
  if (/^(null|Null|NULL|~)?$/.test(text)) return null;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?[0-9]+$/.test(text)) return Number(text);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^0o[0-7]+$/.test(text)) return parseInt(text.slice(2), 8);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  if (/^[-+]?\.(inf|Inf|INF)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^\.(nan|NaN|NAN)$/.test(text)) return NaN;
  return text;
}

class FlowParser {
  constructor(text, line) { this.text = text; this.i = 0; this.line = line; }
  fail(message) { throw new YAMLError(message, this.line); }
  space() { while (/\s/.test(this.text[this.i] || '')) this.i++; }
  end() { this.space(); if (this.i < this.text.length) this.fail(`unexpected "${this.text.slice(this.i)}"`); }

  value(inFlow = false) {
    this.space();
    const c = this.text[this.i];
    if (c === '[') return this.list();
    if (c === '{') return this.map();
    if (c === '"' || c === "'") {
      const end = closingQuote(this.text, this.i);
      if (end < 0) this.fail('a quoted string is not closed');
      const value = unquote(this.text.slice(this.i, end + 1));
      this.i = end + 1;
      return value;
    }
    if (c === '&' || c === '*' || c === '!') this.fail('anchors, aliases and tags are not supported here');
    const start = this.i;
    while (this.i < this.text.length) {
      const ch = this.text[this.i];
      if (inFlow && (ch === ',' || ch === ']' || ch === '}')) break;
      if (inFlow && ch === ':' && /[\s,\]}]/.test(this.text[this.i + 1] || ' ')) break;
      this.i++;
    }
    return scalar(this.text.slice(start, this.i).trim());
  }

  list() {
    this.i++;
    const items = [];
    for (;;) {
      this.space();
      if (this.text[this.i] === ']') { this.i++; return items; }
      items.push(this.value(true));
      this.space();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== ']') this.fail('expected "," or "]"');
    }
  }

  map() {
    this.i++;
    const object = {};
    for (;;) {
      this.space();
      if (this.text[this.i] === '}') { this.i++; return object; }
      const key = this.value(true);
      this.space();
      if (this.text[this.i] !== ':') this.fail('expected ":" in a flow mapping');
      this.i++;
      object[String(key)] = this.value(true);
      this.space();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] !== '}') this.fail('expected "," or "}"');
    }
  }
}

// ---- writing ----

const NODE_ORDER = ['id', 'type', 'name', 'configuration', 'error_handling', 'retry_count', 'retry', 'timeout', 'position', 'disabled', 'notes'];
const WORKFLOW_ORDER = ['name', 'description', 'tags', 'settings', 'nodes', 'edges'];

/** The workflow document as YAML, in the canonical key order. */
export function workflowToYAML(doc) {
  const ordered = orderKeys(doc, WORKFLOW_ORDER);
  ordered.nodes = (doc.nodes || []).map((node) => orderKeys(node, NODE_ORDER));
  return stringifyYAML({workflow: ordered});
}

function orderKeys(object, order) {
  const result = {};
  for (const key of order) if (object[key] !== undefined) result[key] = object[key];
  for (const key of Object.keys(object)) if (!(key in result)) result[key] = object[key];
  return result;
}

export function stringifyYAML(value) {
  return lines(value, 0).join('\n') + '\n';
}

function isScalar(value) {
  return value === null || typeof value !== 'object';
}

function lines(value, indent) {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (isScalar(item) || isFlowable(item)) return [`${pad}- ${inline(item, indent + 2)}`];
      const inner = lines(item, indent + 2);
      inner[0] = `${pad}- ${inner[0].slice(indent + 2)}`;
      return inner;
    });
  }
  return Object.entries(value).flatMap(([key, item]) => {
    const name = plainKey(key);
    if (isScalar(item) || isFlowable(item)) {
      if (typeof item === 'string' && item.includes('\n')) return [`${pad}${name}: ${blockHeader(item)}`, ...item.replace(/\n$/, '').split('\n').map((l) => (l ? `${pad}  ${l}` : ''))];
      return [`${pad}${name}: ${inline(item, indent + 2)}`];
    }
    return [`${pad}${name}:`, ...lines(item, indent + 2)];
  });
}

function blockHeader(text) {
  return text.endsWith('\n') ? (text.endsWith('\n\n') ? '|+' : '|') : '|-';
}

/** Empty collections, short lists of scalars and small mappings of scalars are written inline. */
function isFlowable(value) {
  if (Array.isArray(value)) return value.length === 0 || (value.every(isScalar) && value.every((v) => typeof v !== 'string' || !v.includes('\n')) && JSON.stringify(value).length < 80);
  const entries = Object.entries(value);
  return entries.length === 0 || (entries.length <= 4 && entries.every(([, v]) => isScalar(v) && (typeof v !== 'string' || !v.includes('\n'))) && JSON.stringify(value).length < 80);
}

function inline(value, indent) {
  if (Array.isArray(value)) return `[${value.map((v) => inline(v, indent)).join(', ')}]`;
  if (value && typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${plainKey(k)}: ${inline(v, indent)}`).join(', ')}}`;
  if (typeof value === 'string') return quoteIfNeeded(value);
  if (value === null || value === undefined) return 'null';
  return String(value);
}

function plainKey(key) {
  return /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(key) && typeof scalar(key) === 'string' ? key : JSON.stringify(key);
}

function quoteIfNeeded(text) {
  const plain = text !== '' && typeof scalar(text) === 'string' && text === text.trim() &&
    !/^[-?:,[\]{}#&*!|>'"%@`]/.test(text) && !/[:#]\s|\s#|:$|[{}[\],]/.test(text) && !text.includes('\n') && !/[\x00-\x1f]/.test(text);
  return plain ? text : JSON.stringify(text);
}
