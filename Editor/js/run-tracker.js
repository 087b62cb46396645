// Node statuses of one execution, drawn from its live events (docs/API.md, "Live events"). The server says what the
// run's state machine decided — a node started, finished with its status and the branch it left from, was skipped,
// will retry, waits — and the tracker keeps the latest word per node. Nothing is worked out from the graph.

import {seconds} from './dom.js';

export class RunTracker {
  constructor() {
    this.nodes = new Map();
    this.status = 'running';
    this.startedAt = null;
  }

  /** Applies one live event ({event, data}); answers a line for the log, or null. */
  apply({event, data}) {
    const at = seconds(data?.at);
    // The canvas shows workflow nodes: every iteration of a loop body draws on the same node.
    const id = data?.node_id ?? null;
    const name = data?.node;
    const previous = this.nodes.get(id) || {};
    switch (event) {
      case 'execution_started':
        this.startedAt = at;
        return {kind: 'info', text: `started from ${data.trigger}`};
      case 'node_started':
        this.set(id, {status: 'running', startedAt: at, attempts: data.attempt, error: undefined});
        return data.attempt > 1 ? {kind: 'info', text: `${name} starts attempt ${data.attempt}`} : null;
      case 'node_finished': {
        const elapsed = data.attempt !== undefined && previous.startedAt && at ? (at - previous.startedAt) * 1000 : 0;
        this.set(id, {status: data.status, branch: data.branch ?? null, attempts: data.attempt ?? previous.attempts, durationMs: elapsed, error: data.error});
        return finishedLine(data);
      }
      case 'node_skipped':
        this.set(id, {status: 'skipped'});
        return {kind: 'info', text: `${name} skipped`};
      case 'retry_scheduled':
        this.set(id, {status: 'running', attempts: data.attempt - 1, retryAt: seconds(data.retry_at), error: data.error});
        return {kind: 'failed', text: `${name} failed (attempt ${data.attempt - 1}): ${data.error?.message || 'error'} — attempt ${data.attempt} at ${new Date(data.retry_at).toLocaleTimeString()}`};
      case 'node_waiting':
        this.set(id, {status: 'waiting', until: seconds(data.until)});
        return {kind: 'info', text: `${name} waits until ${new Date(data.until).toLocaleTimeString()}`};
      case 'node_iterating':
        this.set(id, {status: 'running'});
        return {kind: 'info', text: `${name} loops over ${data.items} item(s)`};
      case 'log':
        return {kind: data.level === 'error' ? 'failed' : 'info', text: `  ${name} │ ${data.message}`};
      case 'execution_finished':
        this.status = data.status;
        return {kind: data.status === 'succeeded' ? 'succeeded' : 'failed', text: `execution ${data.status}`};
      default:
        return null;
    }
  }

  set(id, values) {
    if (!id) return;
    this.nodes.set(id, {...(this.nodes.get(id) || {}), ...values});
  }

  /** Folds in the stored node runs (exact durations and attempts). While the execution runs, a node the live view
   *  has in progress keeps its live status, since the stored run is of an earlier attempt; once it has ended, the
   *  stored runs are the last word. */
  merge(runs, ended = false) {
    const latest = new Map();
    for (const run of runs) {
      const id = run.node_id || String(run.node).split('/').pop();
      const previous = latest.get(id);
      if (!previous || run.attempt >= previous.attempt) latest.set(id, run);
    }
    for (const [id, run] of latest) {
      const current = this.nodes.get(id) || {};
      const inProgress = !ended && (current.status === 'running' || current.status === 'waiting');
      this.set(id, {status: inProgress ? current.status : run.status, durationMs: run.duration_ms ?? current.durationMs, attempts: run.attempt});
    }
  }
}

function finishedLine(data) {
  const attempt = data.attempt !== undefined ? ` (attempt ${data.attempt})` : '';
  switch (data.status) {
    case 'succeeded':
      // The trigger finishes without an attempt: "started from" said it.
      return data.attempt === undefined ? null : {kind: 'succeeded', text: `${data.node} succeeded${data.branch ? ` → ${data.branch}` : ''}${attempt}`};
    case 'failed':
      return {kind: 'failed', text: `${data.node} failed${attempt}: ${data.error?.message || 'error'}${data.branch ? ` → ${data.branch}` : ''}`};
    case 'reused':
      return {kind: 'info', text: `${data.node} reused from the earlier run`};
    default:
      return {kind: 'failed', text: `${data.node} ${data.status}${attempt}`};
  }
}
