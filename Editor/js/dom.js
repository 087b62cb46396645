// Small DOM helpers shared by the panels: element creation and the notice area where errors are shown.

// Everything the API or the user wrote (names, ids, descriptions, errors, logs, model output) reaches the page only
// through these helpers, as text nodes and attribute values: no module builds markup from strings (innerHTML and the
// like), and index.html's Content-Security-Policy refuses inline scripts should one ever try.

/** Creates an element: h('button', {class: 'x', onclick: f, 'aria-label': 'Go'}, 'text', child…). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), handler(name, value));
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (name in element && typeof value !== 'string') element[name] = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  append(element, children);
  return element;
}

/** Creates an SVG element with attributes. */
export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith('on')) element.addEventListener(name.slice(2), handler(name, value));
    else if (value !== undefined && value !== null) element.setAttribute(name, value);
  }
  append(element, children);
  return element;
}

/** An on… attribute must be a function: text there would be script. */
function handler(name, value) {
  if (typeof value !== 'function') throw new TypeError(`${name} must be a function`);
  return value;
}

/** Children are nodes or text; text is never read as markup. */
function append(element, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

/** Pretty JSON for display. */
export function pretty(value) {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}

const notices = () => document.getElementById('notices');

/** Shows a notice; errors stay until dismissed, others fade after a few seconds. A notice with the same kind and
 *  title as one still shown replaces it (a failing validation after each keystroke shows one notice, not dozens). */
export function notify(kind, title, detail = '', items = []) {
  const close = h('button', {class: 'close small', type: 'button', 'aria-label': `Dismiss: ${title}`}, '×');
  const notice = h('div', {class: `notice ${kind}`, dataset: {kind}},
    close, h('h3', {}, title), detail ? h('p', {}, detail) : null,
    items.length ? h('ul', {}, items.map((item) => h('li', {}, item))) : null);
  close.addEventListener('click', () => notice.remove());
  const same = [...notices().children].find((other) => other.dataset.kind === kind && other.querySelector('h3')?.textContent === title);
  if (same) same.replaceWith(notice); else notices().append(notice);
  if (kind !== 'error') setTimeout(() => notice.remove(), 5000);
  return notice;
}

/** Shows any error: an API problem with its title, detail and problems, or anything else with its message. */
export function showError(error, context = '') {
  if (error && error.name === 'AbortError') return;
  console.error(error);
  const title = (context ? `${context}: ` : '') + (error?.title || error?.message || String(error));
  const items = (error?.problems || []).map(describeProblem);
  notify('error', title, error?.detail || '', items);
}

/** One line for a validator problem. */
export function describeProblem(problem) {
  const where = problem.node_id ? `${problem.node_id}: ` : (problem.path ? `${problem.path}: ` : '');
  return `${where}${problem.message}${problem.suggestion ? ` (${problem.suggestion})` : ''}`;
}

/** An API time (RFC 3339 text, like 2026-12-04T17:48:44.165Z) as local time. */
export function time(stamp) {
  return stamp ? new Date(stamp).toLocaleString() : '';
}

/** An API time (RFC 3339 text) as seconds since 1970, for arithmetic; null when there is none. */
export function seconds(stamp) {
  const value = stamp ? Date.parse(stamp) : NaN;
  return Number.isNaN(value) ? null : value / 1000;
}

/** A duration in milliseconds, readable. */
export function duration(ms) {
  if (ms === undefined || ms === null) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : ms < 60000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 60000).toFixed(1)} min`;
}
