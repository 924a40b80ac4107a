import { $, h } from './dom';

/** Keyboard shortcuts, listed once: the handler and the help panel both read this table. */
export interface Shortcut { keys: string[]; label: string; run: () => void }

const KEY_LABELS: Record<string, string> = { ArrowUp: '↑', ArrowDown: '↓', PageUp: 'Page Up', PageDown: 'Page Down' };

export function bindShortcuts(shortcuts: Shortcut[]): void {
  const table = $('#shortcut-table');
  table.replaceChildren(...shortcuts.map((s) => h('tr', {},
    h('td', {}, ...s.keys.flatMap((k, i) => (i ? [' ', h('kbd', { text: KEY_LABELS[k] ?? k })] : [h('kbd', { text: KEY_LABELS[k] ?? k })]))),
    h('td', { text: s.label }))));
  document.addEventListener('keydown', (e) => {
    const target = e.target as HTMLElement | null;
    if (target && ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) && (target as HTMLInputElement).type !== 'range'
      && (target as HTMLInputElement).type !== 'checkbox') return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const shortcut = shortcuts.find((s) => s.keys.includes(e.key));
    if (!shortcut) return;
    e.preventDefault();
    shortcut.run();
  });
}
