// The WindFlow API over fetch: the key from localStorage, problem+json errors as ApiError, a 401 asks for the key
// again, and server-sent events read with fetch() (EventSource cannot send the Authorization header).
import {askForKey} from './key-dialog.js';

const KEY = 'windflow.apiKey';

/** An error answer of the API (RFC 9457 problem details). */
export class ApiError extends Error {
  constructor(status, body) {
    const problem = typeof body === 'object' && body ? body : {detail: String(body || '')};
    super(problem.title || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.title = problem.title || `HTTP ${status}`;
    this.detail = problem.detail || '';
    this.problems = Array.isArray(problem.problems) ? problem.problems : [];
    this.body = problem;
  }
}

function storedKey() {
  return localStorage.getItem(KEY) || '';
}

export function setKey(key) {
  localStorage.setItem(KEY, key.trim());
}

/** Makes sure a key is stored, asking once. */
export async function ensureKey() {
  while (!storedKey()) setKey(await askForKey());
}

async function send(method, path, body, accept) {
  const headers = {Authorization: `Bearer ${storedKey()}`};
  if (accept) headers.Accept = accept;
  let payload = body;
  if (body !== undefined && typeof body !== 'string') {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  } else if (typeof body === 'string') {
    headers['Content-Type'] = 'text/plain; charset=utf-8';
  }
  try {
    return await fetch(`/api/v1/${path}`, {method, headers, body: payload});
  } catch (error) {
    throw unreachable(error, method, path);
  }
}

/** A request that got no answer at all (the server stopped, the network dropped) as an error saying so. */
function unreachable(error, method, path) {
  if (error?.name === 'AbortError') return error;
  const failure = new Error('The WindFlow server cannot be reached');
  failure.detail = `${method} /api/v1/${path}: ${error?.message || error}`;
  return failure;
}

/** Sends a request; answers the parsed JSON (or text), throws ApiError for an error status. */
async function request(method, path, body, {accept, raw} = {}) {
  let response = await send(method, path, body, accept);
  for (let asked = 0; response.status === 401 && asked < 3; asked++) {
    setKey(await askForKey('The API refused the key (401). Enter a valid key.'));
    response = await send(method, path, body, accept);
  }
  if (raw && response.ok) return response;
  const type = response.headers.get('Content-Type') || '';
  const text = await response.text();
  let parsed = text;
  if (type.includes('json') && text) {
    try { parsed = JSON.parse(text); } catch { parsed = text; }
  }
  if (!response.ok) {
    if (parsed === '') {
      throw new ApiError(response.status, {title: `HTTP ${response.status} ${response.statusText}`.trim(), detail: `${method} /api/v1/${path} answered with no details.`});
    }
    throw new ApiError(response.status, parsed);
  }
  return parsed;
}

export const api = {
  get: (path, options) => request('GET', path, undefined, options),
  post: (path, body, options) => request('POST', path, body, options),
  put: (path, body, options) => request('PUT', path, body, options),
  del: (path, options) => request('DELETE', path, undefined, options),
};

/**
 * Reads the server-sent events of `path` and calls onEvent({id, event, data}) for each until the stream ends or
 * `signal` aborts. The data is parsed as JSON when it can be.
 */
export async function streamEvents(path, onEvent, signal) {
  const open = () => fetch(`/api/v1/${path}`, {headers: {Authorization: `Bearer ${storedKey()}`, Accept: 'text/event-stream'}, signal})
    .catch((error) => { throw unreachable(error, 'GET', path); });
  let response = await open();
  if (response.status === 401) {
    setKey(await askForKey('The API refused the key (401). Enter a valid key.'));
    response = await open();
  }
  if (!response.ok) {
    const text = await response.text();
    let body = text;
    try { body = JSON.parse(text); } catch { /* not JSON: keep the text */ }
    throw new ApiError(response.status, body);
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const {value, done} = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, {stream: true}).replace(/\r\n/g, '\n');
    let cut;
    while ((cut = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = parseBlock(block);
      if (event) onEvent(event);
    }
  }
}

function parseBlock(block) {
  const event = {event: 'message', data: '', id: null};
  const data = [];
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') data.push(value);
    else if (field === 'event') event.event = value;
    else if (field === 'id') event.id = value;
  }
  if (!data.length) return null;
  event.data = data.join('\n');
  try { event.data = JSON.parse(event.data); } catch { /* plain text data */ }
  return event;
}
