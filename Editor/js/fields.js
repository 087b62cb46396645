// One form control per parameter kind of the registry (string, text, integer, enum, list…), reading and writing the
// configuration value. Any text field also accepts a {{ … }} expression.
import {h} from './dom.js';

const TEXTUAL = new Set(['string', 'cron', 'time_zone', 'condition', 'duration']);

/** The control for a parameter: {control, read() → {value} | {error} | {unset: true}, write(value)}. */
export function controlFor(parameter, id) {
  const kind = parameter.type?.kind || 'any';
  if (parameter.enum) return enumControl(parameter, id);
  if (kind === 'boolean') return booleanControl(parameter, id);
  if (kind === 'text') return textControl(h('textarea', {id, rows: 4, spellcheck: 'false'}), parameter);
  if (TEXTUAL.has(kind) || kind === 'integer' || kind === 'number') {
    return textControl(h('input', {id, type: 'text', autocomplete: 'off', inputmode: kind === 'integer' || kind === 'number' ? 'decimal' : undefined}), parameter);
  }
  if (kind === 'list' && TEXTUAL.has(parameter.type.of?.kind)) return listControl(parameter, id);
  return jsonControl(parameter, id);
}

function placeholder(parameter) {
  if (parameter.default !== undefined) return `default: ${typeof parameter.default === 'string' ? parameter.default : JSON.stringify(parameter.default)}`;
  if (parameter.example !== undefined) return `e.g. ${typeof parameter.example === 'string' ? parameter.example : JSON.stringify(parameter.example)}`;
  return '';
}

function textControl(control, parameter) {
  const kind = parameter.type?.kind;
  control.placeholder = placeholder(parameter);
  return {
    control,
    write(value) { control.value = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value); },
    read() {
      const text = control.value;
      if (text === '') return {unset: true};
      if ((kind === 'integer' || kind === 'number' || kind === 'duration') && /^-?\d+(\.\d+)?$/.test(text.trim())) return {value: Number(text)};
      if ((kind === 'integer' || kind === 'number') && !text.includes('{{')) return {error: `${parameter.name} takes a number or a {{ … }} expression`};
      return {value: text};
    },
  };
}

function enumControl(parameter, id) {
  const control = h('select', {id});
  const fill = (current) => {
    control.replaceChildren(h('option', {value: ''}, parameter.default !== undefined ? `(default: ${parameter.default})` : '(not set)'));
    const values = parameter.enum.map(String);
    if (current !== undefined && current !== null && !values.includes(String(current))) values.push(String(current));
    for (const value of values) control.append(h('option', {value}, value));
  };
  fill();
  return {
    control,
    write(value) { fill(value); control.value = value === undefined || value === null ? '' : String(value); },
    read() {
      if (control.value === '') return {unset: true};
      const original = parameter.enum.find((value) => String(value) === control.value);
      return {value: original ?? control.value};
    },
  };
}

function booleanControl(parameter, id) {
  const control = h('select', {id},
    h('option', {value: ''}, parameter.default !== undefined ? `(default: ${parameter.default})` : '(not set)'),
    h('option', {value: 'true'}, 'true'), h('option', {value: 'false'}, 'false'));
  return {
    control,
    write(value) {
      if (typeof value === 'string' && value !== 'true' && value !== 'false') control.append(h('option', {value}, value));
      control.value = value === undefined || value === null ? '' : String(value);
    },
    read() {
      if (control.value === '') return {unset: true};
      return {value: control.value === 'true' ? true : control.value === 'false' ? false : control.value};
    },
  };
}

function listControl(parameter, id) {
  const control = h('input', {id, type: 'text', autocomplete: 'off', placeholder: placeholder(parameter) || 'comma-separated'});
  return {
    control,
    write(value) { control.value = Array.isArray(value) ? value.join(', ') : value === undefined || value === null ? '' : String(value); },
    read() {
      const text = control.value.trim();
      if (!text) return {unset: true};
      if (/^\{\{.*\}\}$/.test(text)) return {value: text};
      return {value: text.split(',').map((part) => part.trim()).filter(Boolean)};
    },
  };
}

function jsonControl(parameter, id) {
  const kind = parameter.type?.kind;
  const control = h('textarea', {id, rows: 3, spellcheck: 'false', placeholder: placeholder(parameter) || 'JSON'});
  return {
    control,
    write(value) { control.value = value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value, null, 2); },
    read() {
      const text = control.value.trim();
      if (!text) return {unset: true};
      try {
        const parsed = JSON.parse(text);
        if (kind === 'any' || kind === 'one_of' || typeof parsed !== 'string') return {value: parsed};
      } catch { /* not JSON */ }
      if (kind === 'any' || kind === 'one_of' || text.includes('{{')) return {value: text};
      return {error: `${parameter.name} takes JSON (${kind === 'map' || kind === 'object' ? '{"key": "value"}' : '[…]'}) or a {{ … }} expression`};
    },
  };
}
