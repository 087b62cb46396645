// Undo / redo as snapshots of the workflow document (JSON text), at most LIMIT deep.

const LIMIT = 200;

export class History {
  constructor() {
    this.undoStack = [];
    this.redoStack = [];
  }

  /** Records the state before a change. */
  record(snapshot) {
    if (this.undoStack[this.undoStack.length - 1] === snapshot) return;
    this.undoStack.push(snapshot);
    if (this.undoStack.length > LIMIT) this.undoStack.shift();
    this.redoStack = [];
  }

  /** The state to go back to, given the current one; null when there is none. */
  undo(current) {
    if (!this.undoStack.length) return null;
    this.redoStack.push(current);
    return this.undoStack.pop();
  }

  redo(current) {
    if (!this.redoStack.length) return null;
    this.undoStack.push(current);
    return this.redoStack.pop();
  }

  clear() {
    this.undoStack = [];
    this.redoStack = [];
  }

  get canUndo() { return this.undoStack.length > 0; }
  get canRedo() { return this.redoStack.length > 0; }
}
