// chart.js (from npm, copied into /lib by the build), loaded the first time a page draws a chart. Every chart
// here is drawn beside a table of the same figures: the canvas is a picture, the table is what is read.
import { h } from './dom.js';

let loading = null;

export function loadChartJs() {
  loading ??= new Promise((resolve, reject) => {
    if (globalThis.Chart) { resolve(globalThis.Chart); return; }
    const script = h('script', { src: '/lib/chart.umd.min.js' });
    script.addEventListener('load', () => resolve(globalThis.Chart));
    script.addEventListener('error', () => { loading = null; reject(new Error('chart.js did not load')); });
    document.head.append(script);
  });
  return loading;
}

/** The page's colours (light or dark), read from the CSS custom properties. */
export function palette() {
  const style = getComputedStyle(document.documentElement);
  const color = (name) => style.getPropertyValue(name).trim();
  return {
    text: color('--text'), muted: color('--muted'), border: color('--border'),
    executed: color('--executed'), done: color('--done'), closed: color('--closed'), open: color('--open'), accent: color('--accent'),
  };
}

/**
 * A figure: heading, a chart (hidden from screen readers: the table says the same) and the table beside it.
 * Returns { root, draw(config), table(headers, rows) }.
 */
export function chartFigure(id, title) {
  const canvas = h('canvas', { id: `${id}-chart`, 'aria-hidden': 'true' });
  // A wide table scrolls inside its own box, which the keyboard can reach and scroll too.
  const tableHost = h('div', { class: 'figure-table', tabindex: '0', role: 'region', 'aria-labelledby': `${id}-heading` });
  const root = h('section', { class: 'card insight', id, 'aria-labelledby': `${id}-heading` },
    h('h2', { id: `${id}-heading` }, title),
    h('div', { class: 'figure' }, h('div', { class: 'chart-box' }, canvas), tableHost));
  let chart = null;
  return {
    root,
    async draw(config) {
      const Chart = await loadChartJs();
      if (chart) {
        chart.data = config.data;
        chart.options = config.options;
        chart.update('none');
      } else {
        chart = new Chart(canvas, config);
      }
    },
    table(headers, rows) {
      const table = h('table', { class: 'figures', id: `${id}-table` },
        h('caption', { class: 'visually-hidden' }, title),
        h('thead', {}, h('tr', {}, headers.map((text, i) => h('th', { scope: 'col', class: i ? 'num' : null }, text)))),
        h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((text, i) => (i ? h('td', { class: 'num' }, text) : h('th', { scope: 'row' }, text)))))));
      tableHost.replaceChildren(table);
    },
    destroy() { chart?.destroy(); },
  };
}
