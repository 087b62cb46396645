// The API key dialog: asked once, kept in localStorage by api.js; asked again after a 401.

let pending = null;
let initialised = false;

/** Opens the dialog (once, however many requests wait) and resolves with the key typed. */
export function askForKey(message) {
  if (pending) return pending;
  const dialog = document.getElementById('key-dialog');
  const input = document.getElementById('key-input');
  const text = document.getElementById('key-message');
  if (message) text.textContent = message;
  input.value = '';
  if (!initialised) {
    // Escape cannot close it: the editor cannot work without a key.
    dialog.addEventListener('cancel', (event) => event.preventDefault());
    initialised = true;
  }
  pending = new Promise((resolve) => {
    const form = document.getElementById('key-form');
    const done = (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (!key) return;
      form.removeEventListener('submit', done);
      dialog.close();
      pending = null;
      resolve(key);
    };
    form.addEventListener('submit', done);
  });
  dialog.showModal();
  input.focus();
  return pending;
}
