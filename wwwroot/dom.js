import { exactTime, t, when } from './i18n.js';
import { Status } from './meta.js';

// h('p', { class: 'x', onclick: fn }, 'text', child) — text is always set as text, never parsed as HTML.
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, value);
  }
  append(el, children);
  return el;
}

export function fill(el, ...children) {
  clear(el);
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Server-rendered, sanitized Markdown (MarkdownRenderer) — the only HTML the page inserts. */
export function trustedHtml(el, html) {
  el.innerHTML = html;
  return el;
}

export const time = (iso) => h('time', { datetime: iso, title: exactTime(iso), dataset: { relative: '' } }, when(iso));

/** "2 minutes ago" stays true while the page is open: relative times are redrawn every half minute. */
export function keepTimesFresh(root = document) {
  return setInterval(() => {
    for (const el of root.querySelectorAll('time[data-relative]')) el.textContent = when(el.dateTime);
  }, 30_000);
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** Polite announcement for screen readers; the same text stays visible in the toast. */
export function announce(text) {
  const region = document.getElementById('announcer');
  region.textContent = '';
  // A fresh text node makes screen readers read it even when the text repeats.
  requestAnimationFrame(() => { region.textContent = text; });
}

/** A passing message; with <href> it links there. It can be closed at once; the announcer reads it aloud. */
export function toast(text, kind = 'info', href = null) {
  const host = document.getElementById('toasts');
  const item = h('div', { class: `toast toast-${kind}`, dataset: { kind } },
    href ? h('a', { class: 'toast-text', href, onclick: () => item.remove() }, text) : h('span', { class: 'toast-text' }, text),
    h('button', { type: 'button', class: 'toast-close', 'aria-label': t('close'), onclick: () => item.remove() }, '×'));
  host.append(item);
  setTimeout(() => item.remove(), kind === Status.executed ? 12000 : 6000);
}

/**
 * An in-page confirmation in place of a destructive button: the question, confirm and cancel. Focus moves to
 * cancel (the safe choice) and back to the button when it closes; Escape cancels.
 */
export function confirmInline(host, trigger, { text, confirmLabel, onConfirm, onError }) {
  host.querySelector('.confirm')?.remove();
  const textId = `confirm-${Math.random().toString(36).slice(2, 8)}`;
  const yes = h('button', { type: 'button', class: 'button button-danger confirm-yes' }, confirmLabel);
  const no = h('button', { type: 'button', class: 'button confirm-no' }, t('cancel'));
  const box = h('div', { class: 'confirm', role: 'group', 'aria-labelledby': textId },
    h('p', { id: textId }, text), h('div', { class: 'actions' }, yes, no));
  const close = () => { box.remove(); trigger.hidden = false; trigger.focus(); };
  no.addEventListener('click', close);
  box.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); });
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    no.disabled = true;
    try {
      await onConfirm();
    } catch (err) {
      close();
      onError(err);
    }
  });
  trigger.hidden = true;
  trigger.after(box);
  no.focus();
}
