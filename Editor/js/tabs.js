// The side panel's tabs (ARIA tabs: arrow keys move between them). Showing one emits 'panel-shown' with its name.
import {emit} from './events.js';

export function initTabs() {
  const tabs = [...document.querySelectorAll('[role=tab]')];
  for (const tab of tabs) {
    tab.addEventListener('click', () => showPanel(tab.id.replace('tab-', '')));
    tab.addEventListener('keydown', (event) => {
      const index = tabs.indexOf(tab);
      const next = event.key === 'ArrowRight' ? tabs[(index + 1) % tabs.length] : event.key === 'ArrowLeft' ? tabs[(index - 1 + tabs.length) % tabs.length] : null;
      if (next) { event.preventDefault(); showPanel(next.id.replace('tab-', '')); next.focus(); }
    });
  }
  showPanel('config');
}

/** Shows the panel named `name` (config, problems, run, executions, versions, designer). */
export function showPanel(name) {
  for (const tab of document.querySelectorAll('[role=tab]')) {
    const selected = tab.id === `tab-${name}`;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    document.getElementById(tab.getAttribute('aria-controls')).hidden = !selected;
  }
  emit('panel-shown', name);
}
