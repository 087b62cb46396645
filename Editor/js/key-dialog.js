// The API key dialog: asked once, kept in localStorage by api.js; asked again after a 401, and by the Key button.

let pending = null;
let finish = null;

/**
 * Opens the dialog (once, however many requests wait) and resolves with the key typed. When the editor needs a key
 * (the first start, a 401) it cannot be dismissed; with `cancellable` (the Key button) Cancel and Escape resolve null.
 */
export function askForKey(message, {cancellable = false} = {}) {
  if (pending) return pending;
  const dialog = document.getElementById('key-dialog');
  const form = document.getElementById('key-form');
  const input = document.getElementById('key-input');
  const cancel = document.getElementById('key-cancel');
  if (!finish) {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (key) finish(key);
    });
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      if (!cancel.hidden) finish(null);
    });
    cancel.addEventListener('click', () => finish(null));
  }
  if (message) document.getElementById('key-message').textContent = message;
  input.value = '';
  cancel.hidden = !cancellable;
  pending = new Promise((resolve) => {
    finish = (key) => {
      dialog.close();
      pending = null;
      resolve(key);
    };
  });
  dialog.showModal();
  input.focus();
  return pending;
}
