// Insights, for managers: how decisions go, computed by the server from the trail (GET /api/insights) — decisions
// per week by outcome, time to execution and to done, open proposals by age, approvals per approver — as charts
// with their tables, a CSV of the same figures, filters in the URL (#/insights/?boardId=&from=&to=), live.
import { get, query } from './api.js';
import { h } from './dom.js';
import { language, t } from './i18n.js';
import { chartFigure, palette } from './charts.js';
import { may, Status, vocabulary } from './meta.js';
import { problemText } from './problems.js';

// Every status but open is an outcome: the weeks count each (GET /api/meta names them).
const outcomes = () => vocabulary().statuses.filter((s) => s !== Status.open);

function readFilters() {
  const search = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const date = (key) => (/^\d{4}-\d{2}-\d{2}$/.test(search.get(key) ?? '') ? search.get(key) : '');
  const boardId = search.get('boardId') ?? '';
  return { boardId: /^[0-9a-f-]{36}$/i.test(boardId) ? boardId : '', from: date('from'), to: date('to') };
}

/** The filters as the API's query: dates are whole days in the browser's time zone, `to` inclusive. */
function apiQuery({ boardId, from, to }) {
  const start = from ? new Date(`${from}T00:00`) : null;
  const end = to ? new Date(new Date(`${to}T00:00`).getTime() + 86_400_000) : null;
  return { boardId, from: start?.toISOString(), to: end?.toISOString() };
}

export const hours = (value) => (value === null || value === undefined ? '—'
  : value >= 48
    ? new Intl.NumberFormat(language(), { style: 'unit', unit: 'day', unitDisplay: 'short', maximumFractionDigits: 1 }).format(value / 24)
    : new Intl.NumberFormat(language(), { style: 'unit', unit: 'hour', unitDisplay: 'short', maximumFractionDigits: 1 }).format(value));

const weekLabel = (iso) => new Intl.DateTimeFormat(language(), { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${iso}T00:00Z`));

export async function render(context) {
  const { main, live, me } = context;
  if (!may(me, 'review')) {
    main.append(h('h1', {}, t('insights.title')), h('p', { class: 'warning', id: 'insights-denied', role: 'alert' }, t('insights.denied')));
    return null;
  }
  const filters = readFilters();
  const csv = h('a', { class: 'button', id: 'insights-csv', download: 'insights.csv' }, t('insights.csv'));
  const form = filterForm(context, filters, csv);
  const summary = h('p', { id: 'insights-summary', class: 'muted', role: 'status' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const figures = {
    weeks: chartFigure('insight-weeks', t('insights.weeks')),
    timing: chartFigure('insight-timing', t('insights.timing')),
    ages: chartFigure('insight-ages', t('insights.ages')),
    approvers: chartFigure('insight-approvers', t('insights.approvers')),
  };
  main.append(h('h1', { id: 'insights-heading' }, t('insights.title')), h('p', { class: 'lead' }, t('insights.intro')),
    form, summary, error, ...Object.values(figures).map((f) => f.root));

  let timer = null;
  // Any commit about a proposal may move a figure; a burst of them reloads once.
  const onCommit = (e) => { if (e.detail.entries.some((entry) => entry.proposalId)) { clearTimeout(timer); timer = setTimeout(load, 400); } };
  live.addEventListener('commit', onCommit);
  live.addEventListener('trailresumed', load);
  await live.watchTrail();
  await load();
  return () => {
    clearTimeout(timer);
    live.removeEventListener('commit', onCommit);
    live.removeEventListener('trailresumed', load);
    live.unwatchTrail();
    for (const f of Object.values(figures)) f.destroy();
  };

  async function load() {
    const params = apiQuery(filters);
    csv.href = `/api/insights${query({ ...params, format: 'csv' })}`;
    try {
      const data = await get(`/api/insights${query(params)}`);
      error.hidden = true;
      summary.textContent = t('insights.period', { from: day(data.from), to: day(new Date(new Date(data.to).getTime() - 1)) });
      drawAll(figures, data);
    } catch (err) {
      error.textContent = problemText(err);
      error.hidden = false;
    }
  }
}

const day = (value) => new Intl.DateTimeFormat(language(), { dateStyle: 'medium' }).format(new Date(value));

function filterForm(context, filters, csvLink) {
  const board = h('select', { id: 'insights-board', name: 'boardId' },
    h('option', { value: '' }, t('insights.allBoards')),
    context.boards.map((b) => h('option', { value: b.id, selected: b.id === filters.boardId }, b.name)));
  const from = h('input', { id: 'insights-from', name: 'from', type: 'date', value: filters.from });
  const to = h('input', { id: 'insights-to', name: 'to', type: 'date', value: filters.to });
  const field = (id, label, control) => h('div', { class: 'field' }, h('label', { for: id }, label), control);
  return h('form', { class: 'form insights-filters', onsubmit: (e) => {
    e.preventDefault();
    context.navigate(`#/insights/${query({ boardId: board.value, from: from.value, to: to.value })}`);
  } },
  h('div', { class: 'filter-row' },
    field('insights-board', t('insights.board'), board), field('insights-from', t('insights.from'), from), field('insights-to', t('insights.to'), to)),
  h('button', { type: 'submit', class: 'button' }, t('insights.apply')),
  csvLink);
}

function drawAll(figures, data) {
  const colors = palette();
  const axis = { ticks: { color: colors.muted }, grid: { color: colors.border } };
  const base = (extra = {}) => ({ animation: false, maintainAspectRatio: false, responsive: true,
    plugins: { legend: { labels: { color: colors.text } } }, scales: { x: { ...axis, ...extra.x }, y: { ...axis, beginAtZero: true, ...extra.y } }, ...extra.options });
  const outcomeColor = { executed: colors.executed, done: colors.done, withdrawn: colors.closed, expired: colors.muted };

  figures.weeks.table([t('insights.week'), ...outcomes().map((o) => t(`status.${o}`))],
    data.weeks.map((w) => [weekLabel(w.week), ...outcomes().map((o) => String(w[o]))]));
  figures.weeks.draw({ type: 'bar', data: { labels: data.weeks.map((w) => weekLabel(w.week)),
    datasets: outcomes().map((o) => ({ label: t(`status.${o}`), data: data.weeks.map((w) => w[o]), backgroundColor: outcomeColor[o] })) },
  options: base({ x: { stacked: true }, y: { stacked: true, ticks: { color: colors.muted, precision: 0 } } }) });

  const spans = [['postingToExecution', t('insights.toExecution')], ['executionToDone', t('insights.toDone')]];
  figures.timing.table([t('insights.span'), t('insights.count'), t('insights.median'), t('insights.p90')],
    spans.map(([key, label]) => [label, String(data[key].count), hours(data[key].medianHours), hours(data[key].p90Hours)]));
  figures.timing.draw({ type: 'bar', data: { labels: spans.map(([, label]) => label),
    datasets: [
      { label: t('insights.median'), data: spans.map(([key]) => data[key].medianHours ?? 0), backgroundColor: colors.accent },
      { label: t('insights.p90'), data: spans.map(([key]) => data[key].p90Hours ?? 0), backgroundColor: colors.muted },
    ] }, options: base({ y: { title: { display: true, text: t('insights.hours'), color: colors.muted } } }) });

  const ageLabel = (b) => (b.maxDays === null ? t('insights.ageOver', { days: b.minDays }) : t('insights.ageRange', { min: b.minDays, max: b.maxDays }));
  figures.ages.table([t('insights.age'), t('insights.openCount')], data.openByAge.map((b) => [ageLabel(b), String(b.count)]));
  figures.ages.draw({ type: 'bar', data: { labels: data.openByAge.map(ageLabel),
    datasets: [{ label: t('insights.openCount'), data: data.openByAge.map((b) => b.count), backgroundColor: colors.open }] },
  options: base({ y: { ticks: { color: colors.muted, precision: 0 } }, options: { plugins: { legend: { display: false } } } }) });

  figures.approvers.table([t('insights.approver'), t('insights.approvals')], data.approvers.map((a) => [a.name, String(a.approvals)]));
  figures.approvers.draw({ type: 'bar', data: { labels: data.approvers.map((a) => a.name),
    datasets: [{ label: t('insights.approvals'), data: data.approvers.map((a) => a.approvals), backgroundColor: colors.executed }] },
  options: base({ x: { ticks: { color: colors.muted, precision: 0 } }, options: { indexAxis: 'y', plugins: { legend: { display: false } } } }) });
}
