// The API key dialog: asked once, kept in localStorage by api.js; asked again after a 401.

let pending = null;

/** Opens the dialog (once, however many requests wait) and resolves with the key typed. */
export function askForKey(message) {
  if (pending) return pending;
  const dialog = document.getElementById('key-dialog');
  const input = document.getElementById('key-input');
  const text = document.getElementById('key-message');
  if (message) text.textContent = message;
  input.value = '';
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
    dialog.addEventListener('cancel', (event) => event.preventDefault(), {once: true});
  });
  dialog.showModal();
  input.focus();
  return pending;
}
