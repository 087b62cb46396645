// A tiny publish/subscribe hub the modules use to hear about each other's changes.

const listeners = new Map();

/** Calls `listener(detail)` whenever `name` is emitted. */
export function on(name, listener) {
  if (!listeners.has(name)) listeners.set(name, []);
  listeners.get(name).push(listener);
}

export function emit(name, detail) {
  for (const listener of listeners.get(name) || []) listener(detail);
}
