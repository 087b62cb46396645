// Node statuses of one execution, from its events. The event stream says when nodes start (`node_started`), what
// they print (`log`) and when they finish; which nodes are skipped follows from the graph: a node is skipped when no
// incoming edge was taken (docs/FORMAT.md, "Edges").

import {seconds} from './dom.js';

export class RunTracker {
  constructor(doc) {
    this.doc = doc;
    this.nodes = new Map();
    this.status = 'running';
    this.startedAt = null;
    this.lastAt = null;
  }

  /** Applies one event ({event, data}); answers a line for the log, or null. */
  apply({event, data}) {
    const at = seconds(data?.at) ?? this.lastAt;
    if (at) this.lastAt = at;
    const id = typeof data?.node === 'string' ? data.node.split('/').pop() : null;
    let line = null;
    switch (event) {
      case 'started':
        this.startedAt = at;
        this.set(data.trigger, {status: 'succeeded', branch: null, durationMs: 0, attempts: 1});
        line = {kind: 'info', text: `started from ${data.trigger}`};
        break;
      case 'node_finished': {
        const outcome = data.outcome || {};
        const previous = this.nodes.get(id) || {};
        const elapsed = previous.readyAt && at ? (at - previous.readyAt) * 1000 : undefined;
        if (outcome.status === 'succeeded') {
          this.set(id, {status: 'succeeded', branch: outcome.branch ?? null, attempts: data.attempt, durationMs: elapsed});
          line = {kind: 'succeeded', text: `${data.node} succeeded${outcome.branch ? ` → ${outcome.branch}` : ''} (attempt ${data.attempt})`};
        } else if (outcome.status === 'failed') {
          const node = this.node(id);
          const retries = Number(node?.retry_count || 0);
          const again = outcome.retryable && data.attempt <= retries;
          this.set(id, {status: again ? 'running' : 'failed', attempts: data.attempt, durationMs: elapsed, error: outcome.error});
          line = {kind: 'failed', text: `${data.node} failed (attempt ${data.attempt}): ${outcome.error?.message || 'error'}${again ? ' — retrying' : ''}`};
        } else if (outcome.status === 'iterate') {
          this.set(id, {status: 'running', branch: 'loop', iterating: true, attempts: data.attempt});
          line = {kind: 'info', text: `${data.node} loops over ${(outcome.items || []).length} item(s)`};
        } else if (outcome.status === 'wait') {
          this.set(id, {status: 'running', attempts: data.attempt});
          line = {kind: 'info', text: `${data.node} waits until ${new Date(outcome.until).toLocaleTimeString()}`};
        } else if (outcome.status === 'stop') {
          this.set(id, {status: outcome.succeeded ? 'succeeded' : 'failed', attempts: data.attempt, durationMs: elapsed});
          line = {kind: outcome.succeeded ? 'succeeded' : 'failed', text: `${data.node} stops the run: ${outcome.message}`};
        }
        break;
      }
      case 'node_started':
        this.set(id, {status: 'running', readyAt: at, attempts: data.attempt});
        if (data.attempt > 1) line = {kind: 'info', text: `${data.node} starts attempt ${data.attempt}`};
        break;
      case 'log':
        line = {kind: data.level === 'error' ? 'failed' : 'info', text: `  ${data.node} │ ${data.message}`};
        return line;
      case 'timer_fired':
        this.set(id, {status: 'running', readyAt: at});
        line = {kind: 'info', text: `${data.node} runs again`};
        break;
      case 'reused':
        this.set(id, {status: 'succeeded', branch: data.branch ?? null, reused: true, durationMs: 0});
        line = {kind: 'info', text: `${data.node} reused from the earlier run`};
        break;
      case 'resumed':
        line = {kind: 'info', text: `resumed after a restart (${(data.interrupted || []).join(', ') || 'nothing in flight'})`};
        break;
      case 'cancelled':
        line = {kind: 'failed', text: 'cancelled'};
        break;
      case 'timed_out':
        line = {kind: 'failed', text: 'the run timed out'};
        break;
      case 'end':
        this.status = data?.status || 'finished';
        line = {kind: this.status === 'succeeded' ? 'succeeded' : 'failed', text: `execution ${this.status}`};
        break;
      default:
        return null;
    }
    this.propagate(at);
    if (event === 'end') this.settle();
    return line;
  }

  node(id) {
    return this.doc.nodes.find((node) => node.id === id);
  }

  set(id, values) {
    if (!id) return;
    this.nodes.set(id, {...(this.nodes.get(id) || {}), ...values});
  }

  /** 'taken', 'skipped', or null while the edge's source has not decided. */
  edgeState(edge) {
    const source = this.nodes.get(edge.source);
    if (!source) return null;
    const branch = edge.branch ?? null;
    if (source.status === 'skipped') return 'skipped';
    if (source.status === 'succeeded') {
      if (branch === 'error') return 'skipped';
      if (branch === null) return source.branch === null || source.branch === undefined ? 'taken' : 'skipped';
      return branch === source.branch ? 'taken' : 'skipped';
    }
    if (source.iterating) return branch === 'loop' ? 'taken' : null;
    if (source.status === 'failed') {
      const handling = this.node(edge.source)?.error_handling;
      if (handling === 'branch') return branch === 'error' ? 'taken' : 'skipped';
      if (handling === 'continue') return branch === 'error' ? 'skipped' : 'taken';
    }
    return null;
  }

  propagate(at) {
    for (let changed = true; changed;) {
      changed = false;
      for (const node of this.doc.nodes) {
        if (this.nodes.has(node.id)) continue;
        const incoming = this.doc.edges.filter((edge) => edge.target === node.id && edge.source !== node.id);
        if (!incoming.length) continue;
        const states = incoming.map((edge) => this.edgeState(edge));
        if (states.includes('taken') && (node.type !== 'logic.merge' ? !states.includes(null) : true)) {
          this.set(node.id, {status: 'running', readyAt: at});
          changed = true;
        } else if (states.every((s) => s === 'skipped')) {
          this.set(node.id, {status: 'skipped'});
          changed = true;
        }
      }
    }
  }

  /** At the end nothing is running any more: what still looks so did not finish. */
  settle() {
    for (const [id, node] of this.nodes) {
      if (node.status === 'running') this.nodes.set(id, {...node, status: this.status === 'succeeded' ? 'succeeded' : 'cancelled'});
    }
  }

  /** Folds in the stored node runs (exact durations, attempts, statuses). */
  merge(runs) {
    const latest = new Map();
    for (const run of runs) {
      const id = run.node_id || String(run.node).split('/').pop();
      const previous = latest.get(id);
      if (!previous || run.attempt >= previous.attempt) latest.set(id, run);
    }
    for (const [id, run] of latest) {
      const current = this.nodes.get(id) || {};
      const status = current.status === 'running' && run.status === 'failed' ? 'running' : run.status;
      this.set(id, {status, durationMs: run.duration_ms ?? current.durationMs, attempts: run.attempt});
    }
  }
}
