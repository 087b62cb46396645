// The editor's entry point: asks for the API key once, loads the registry, wires the modules and opens the workflow
// named in the address (#workflow=ID).
import {ensureKey, setKey} from './api.js';
import {askForKey} from './key-dialog.js';
import {showError} from './dom.js';
import {on} from './events.js';
import {loadRegistry} from './registry.js';
import {state, history, undo, redo, changed} from './state.js';
import {initCanvas, fit} from './canvas.js';
import {initMinimap} from './minimap.js';
import {initPalette} from './palette.js';
import {initTabs} from './tabs.js';
import {initConfigPanel} from './config-panel.js';
import {initValidation, validateNow} from './validation.js';
import {initWorkflowIO, refreshWorkflows, openWorkflow} from './workflow-io.js';
import {initRunPanel} from './run-panel.js';
import {initExecutions} from './executions.js';
import {initVersions} from './versions.js';
import {initDesigner} from './designer-panel.js';
import {initKeyboard} from './keyboard.js';
import {autoLayout} from './layout-action.js';

async function start() {
  await ensureKey();
  await loadRegistry();
  initTabs();
  initCanvas();
  initMinimap();
  initPalette();
  initConfigPanel();
  initValidation();
  initWorkflowIO();
  initRunPanel();
  initExecutions();
  initVersions();
  initDesigner();
  initKeyboard();
  document.getElementById('undo').addEventListener('click', undo);
  document.getElementById('redo').addEventListener('click', redo);
  document.getElementById('auto-layout').addEventListener('click', autoLayout);
  document.getElementById('zoom-fit').addEventListener('click', fit);
  document.getElementById('validate').addEventListener('click', () => validateNow({announce: true}).catch((e) => showError(e, 'Validation')));
  document.getElementById('change-key').addEventListener('click', async () => {
    const key = await askForKey('Enter the API key to use from now on.', {cancellable: true});
    if (!key) return;
    setKey(key);
    refreshWorkflows().catch((e) => showError(e, 'Cannot list the workflows'));
  });
  const buttons = () => {
    document.getElementById('undo').disabled = !history.canUndo || Boolean(state.preview);
    document.getElementById('redo').disabled = !history.canRedo || Boolean(state.preview);
  };
  on('doc', buttons);
  on('preview', buttons);
  changed();
  await refreshWorkflows();
  const wanted = new URLSearchParams(location.hash.slice(1)).get('workflow');
  if (wanted) await openWorkflow(wanted, {force: true}).catch((e) => showError(e, `Cannot open ${wanted}`));
  document.body.dataset.ready = 'true';
}

start().catch((error) => showError(error, 'The editor could not start'));
