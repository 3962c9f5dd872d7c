// The Trail page: every audit entry, newest first and live; filters kept in the URL (#/trail/?boardId=…&action=…);
// keyset paging on seq; export links for managers and admins; and the chain's proof (verify, the head to write down).
import { get, query } from './api.js';
import { announce, clear, fill, h, time } from './dom.js';
import { exactTime, t } from './i18n.js';
import { vocabulary } from './meta.js';
import { problemText } from './problems.js';

// The trail's actions come from the server (GET /api/meta), in TrailActions.All's order.
const actions = () => vocabulary().actions;
const filterKeys = ['boardId', 'proposalId', 'actorId', 'action', 'from', 'to'];
const pageSize = 50;
const catchUpLimit = 500;
const guidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** The filters in the hash's query string; unknown or malformed values are dropped, not sent. */
function readFilters() {
  const search = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const filters = {};
  for (const key of filterKeys) {
    const value = search.get(key)?.trim();
    if (!value) continue;
    if (key.endsWith('Id') && !guidPattern.test(value)) continue;
    if ((key === 'from' || key === 'to') && Number.isNaN(Date.parse(value))) continue;
    if (key === 'action' && !actions().includes(value)) continue;
    filters[key] = value;
  }
  return filters;
}

const sameFilters = (a, b) => filterKeys.every((key) => (a[key] ?? '') === (b[key] ?? ''));

/** An ISO instant as a datetime-local value in the browser's time zone, and back. */
function toLocalInput(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}
const fromLocalInput = (value) => (value ? new Date(value).toISOString() : undefined);

export async function render(context) {
  const { main, live, me, boards } = context;
  const canExport = me.roles.includes('manager') || me.roles.includes('admin');
  const [members, firstHead] = await Promise.all([get('/api/members/directory'), get('/api/audit/head')]);

  let filters = readFilters();
  let generation = 0;
  let next = null;
  let loading = false;
  let head = firstHead;
  const shown = new Map();
  const pending = new Map();
  const titles = new Map();

  // Filters
  const boardSelect = h('select', { id: 'trail-board', name: 'boardId' },
    h('option', { value: '' }, t('trail.allBoards')),
    boards.map((b) => h('option', { value: b.id }, b.name)));
  const memberSelect = h('select', { id: 'trail-member', name: 'actorId' },
    h('option', { value: '' }, t('trail.allMembers')),
    members.map((m) => h('option', { value: m.id }, m.name)));
  const actionSelect = h('select', { id: 'trail-action', name: 'action' },
    h('option', { value: '' }, t('trail.allActions')),
    actions().map((a) => h('option', { value: a }, t(`trail.action.${a}`))));
  const proposalInput = h('input', { id: 'trail-proposal', name: 'proposalId', autocomplete: 'off', spellcheck: 'false', placeholder: t('trail.proposalPlaceholder'), 'aria-describedby': 'trail-proposal-error' });
  const proposalError = h('p', { id: 'trail-proposal-error', class: 'field-error', hidden: true });
  const fromInput = h('input', { id: 'trail-from', name: 'from', type: 'datetime-local' });
  const toInput = h('input', { id: 'trail-to', name: 'to', type: 'datetime-local' });
  const field = (label, input, ...extra) => h('div', { class: 'field' }, h('label', { for: input.id }, label), input, ...extra);
  const activeCount = h('span', { class: 'count' });
  const form = h('form', { class: 'form trail-filters', id: 'trail-filters', 'aria-labelledby': 'trail-filters-heading', novalidate: true },
    h('div', { class: 'trail-filter-grid' },
      field(t('trail.board'), boardSelect),
      field(t('trail.member'), memberSelect),
      field(t('trail.actionLabel'), actionSelect),
      field(t('trail.proposal'), proposalInput, proposalError),
      field(t('trail.from'), fromInput),
      field(t('trail.to'), toInput)),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button button-primary' }, t('trail.apply')),
      h('button', { type: 'button', class: 'button button-quiet', id: 'trail-clear', onclick: clearFilters }, t('trail.clear'))));
  // Entries first: the filters fold away until opened (or until a filter is in use, which the URL may bring).
  const filterBox = h('details', { class: 'card trail-filter-box', id: 'trail-filter-box', open: Object.keys(filters).length > 0 },
    h('summary', {}, h('h2', { id: 'trail-filters-heading' }, t('trail.filters'), ' ', activeCount)),
    form);

  // Export, for managers and admins only: the server refuses everyone else anyway.
  const csvLink = h('a', { class: 'button', id: 'trail-export-csv', download: '' }, t('trail.exportCsv'));
  const jsonlLink = h('a', { class: 'button', id: 'trail-export-jsonl', download: '' }, t('trail.exportJsonl'));
  const exportBox = canExport
    ? h('section', { class: 'trail-export', 'aria-labelledby': 'trail-export-heading' },
      h('h2', { id: 'trail-export-heading', class: 'small-heading' }, t('trail.export')),
      h('div', { class: 'actions' }, csvLink, jsonlLink))
    : null;

  // Proof
  const headBox = h('dl', { class: 'trail-head', id: 'trail-head' });
  const verifyButton = h('button', { type: 'button', class: 'button button-primary', id: 'trail-verify', onclick: () => verify() }, t('trail.verify'));
  const verifyResult = h('div', { class: 'trail-verify-result', id: 'trail-verify-result', role: 'status' });
  const headSeqInput = h('input', { id: 'trail-head-seq', inputmode: 'numeric', autocomplete: 'off', pattern: '[0-9]*' });
  const headHashInput = h('input', { id: 'trail-head-hash', autocomplete: 'off', spellcheck: 'false', maxlength: '64' });
  const earlierForm = h('form', { class: 'form trail-earlier', novalidate: true },
    field(t('trail.headSeq'), headSeqInput),
    field(t('trail.headHash'), headHashInput),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', id: 'trail-verify-earlier' }, t('trail.verifyEarlier'))));
  earlierForm.addEventListener('submit', (e) => {
    e.preventDefault();
    verify({ headSeq: headSeqInput.value.trim(), headHash: headHashInput.value.trim() });
  });
  const proof = h('details', { class: 'card trail-proof', id: 'trail-proof-box' },
    h('summary', {}, h('h2', { id: 'trail-proof-heading' }, t('trail.proof'))),
    h('p', { class: 'muted' }, t('trail.headHint')),
    headBox,
    h('div', { class: 'actions' }, verifyButton),
    verifyResult,
    h('details', { class: 'trail-earlier-box' }, h('summary', {}, t('trail.earlier')), earlierForm));

  // Entries
  const status = h('p', { class: 'muted trail-status', id: 'trail-status', role: 'status' });
  const newButton = h('button', { type: 'button', class: 'button trail-new', id: 'trail-new', hidden: true, onclick: showPending });
  const list = h('ol', { class: 'trail-list', id: 'trail-list', 'aria-labelledby': 'trail-entries-heading' });
  const olderButton = h('button', { type: 'button', class: 'button', id: 'trail-older', hidden: true, onclick: () => loadOlder() }, t('trail.older'));
  const end = h('p', { class: 'muted trail-end', id: 'trail-end', hidden: true }, t('trail.end'));
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const sentinel = h('div', { class: 'trail-sentinel', 'aria-hidden': 'true' });

  if (exportBox) form.append(exportBox);
  main.append(
    h('header', { class: 'trail-top' }, h('h1', { id: 'trail-title' }, t('trail.title')), h('p', { class: 'muted' }, t('trail.intro'))),
    h('div', { class: 'trail-folds' }, filterBox, proof),
    h('section', { class: 'trail-entries', 'aria-labelledby': 'trail-entries-heading' },
      h('h2', { id: 'trail-entries-heading', class: 'visually-hidden' }, t('trail.entries')),
      status, newButton, error, list, olderButton, end, sentinel));

  showFilters();
  renderHead();
  form.addEventListener('submit', (e) => { e.preventDefault(); apply(); });
  form.addEventListener('change', (e) => { if (e.target !== proposalInput) apply(); });

  // Older pages load as the end of the list comes into view; the button does the same by keyboard.
  const observer = new IntersectionObserver((seen) => { if (seen.some((s) => s.isIntersecting)) loadOlder(); }, { rootMargin: '400px 0px' });

  const onTrail = (e) => { for (const entry of e.detail.entries) receive({ ...entry, proposal: e.detail.proposal }); };
  const onResumed = () => catchUp();
  live.addEventListener('commit', onTrail);
  live.addEventListener('trailresumed', onResumed);
  await load();
  observer.observe(sentinel);
  live.watchTrail().then(catchUp, () => { /* not connected yet: 'trailresumed' follows the connect */ });

  return () => {
    generation++;
    observer.disconnect();
    live.removeEventListener('commit', onTrail);
    live.removeEventListener('trailresumed', onResumed);
    live.unwatchTrail();
  };

  function showFilters() {
    const active = Object.keys(filters).length;
    activeCount.textContent = active ? t('trail.filtersActive', { count: active }) : '';
    boardSelect.value = filters.boardId ?? '';
    memberSelect.value = filters.actorId ?? '';
    actionSelect.value = filters.action ?? '';
    proposalInput.value = filters.proposalId ?? '';
    fromInput.value = toLocalInput(filters.from);
    toInput.value = toLocalInput(filters.to);
    const exportQuery = (format) => `/api/audit/export${query({ format, ...filters })}`;
    csvLink.href = exportQuery('csv');
    jsonlLink.href = exportQuery('jsonl');
  }

  function apply() {
    const proposalText = proposalInput.value.trim();
    const proposalId = proposalText.match(guidPattern)?.[0];
    proposalError.hidden = !proposalText || Boolean(proposalId);
    proposalError.textContent = proposalError.hidden ? '' : t('trail.proposalInvalid');
    if (proposalError.hidden) proposalInput.removeAttribute('aria-invalid');
    else { proposalInput.setAttribute('aria-invalid', 'true'); return; }
    const wanted = {
      boardId: boardSelect.value || undefined,
      actorId: memberSelect.value || undefined,
      action: actionSelect.value || undefined,
      proposalId,
      from: fromLocalInput(fromInput.value),
      to: fromLocalInput(toInput.value),
    };
    for (const key of filterKeys) if (!wanted[key]) delete wanted[key];
    if (sameFilters(wanted, filters)) return;
    filters = wanted;
    // The view is shareable: the URL always says what is shown (replaceState fires no hashchange, so no re-render).
    history.replaceState(null, '', `#/trail/${query(filters)}`);
    showFilters();
    load();
  }

  function clearFilters() {
    for (const input of [boardSelect, memberSelect, actionSelect, proposalInput, fromInput, toInput]) input.value = '';
    apply();
  }

  function load() {
    return loadPage(false);
  }

  function loadOlder() {
    if (!loading && next !== null && shown.size > 0) loadPage(true);
  }

  /** The newest page of a fresh view, or the page just before the oldest entry shown (keyset on seq). */
  async function loadPage(older) {
    const id = older ? generation : ++generation;
    if (!older) {
      shown.clear();
      pending.clear();
      clear(list);
      newButton.hidden = true;
    }
    loading = true;
    olderButton.disabled = true;
    error.hidden = true;
    try {
      const before = older ? Number(list.lastElementChild.dataset.seq) : undefined;
      const page = await get(`/api/audit${query({ ...filters, before, limit: pageSize })}`);
      if (id !== generation) return;
      next = page.next;
      for (const entry of page.items) place(entry);
      showStatus(true);
    } catch (e) {
      if (id === generation) showError(e);
    } finally {
      if (id === generation) {
        loading = false;
        olderButton.disabled = false;
      }
    }
  }

  /** What was committed since the newest entry this view knows of: after the hub group is (re)joined. */
  async function catchUp() {
    const id = generation;
    try {
      for (;;) {
        // Everything matching at or below the newest entry shown is shown already or reachable by paging older.
        const after = Math.max(Number(list.firstElementChild?.dataset.seq ?? 0), ...pending.keys());
        const page = await get(`/api/audit${query({ ...filters, after, limit: catchUpLimit })}`);
        if (id !== generation) return;
        for (const entry of page.items) receive(entry);
        if (page.items.length < catchUpLimit) return;
      }
    } catch {
      // The next reconnect catches up again.
    }
  }

  function matches(entry) {
    if (filters.boardId && entry.boardId !== filters.boardId) return false;
    if (filters.proposalId && entry.proposalId !== filters.proposalId) return false;
    if (filters.actorId && entry.actor?.id !== filters.actorId) return false;
    if (filters.action && entry.action !== filters.action) return false;
    if (filters.from && Date.parse(entry.at) < Date.parse(filters.from)) return false;
    if (filters.to && Date.parse(entry.at) >= Date.parse(filters.to)) return false;
    return true;
  }

  /** A new entry, live or caught up: at the top, unless the reader has scrolled down into the list. */
  function receive(entry) {
    if (entry.proposal?.title) titles.set(entry.proposalId, entry.proposal.title);
    if (entry.seq > head.seq) { head = { seq: entry.seq, hash: entry.hash, at: entry.at }; renderHead(); }
    if (!matches(entry) || shown.has(entry.seq) || pending.has(entry.seq)) return;
    if (list.getBoundingClientRect().top < 0) {
      pending.set(entry.seq, entry);
      newButton.textContent = t('trail.newEntries', { count: pending.size });
      newButton.hidden = false;
      return;
    }
    place(entry);
    showStatus(false);
  }

  function showPending() {
    for (const entry of pending.values()) place(entry);
    const count = pending.size;
    pending.clear();
    newButton.hidden = true;
    showStatus(false);
    list.scrollIntoView({ block: 'start' });
    list.firstElementChild?.focus();
    announce(t('trail.newShown', { count }));
  }

  /** Inserts an entry's row in seq order (newest first), once. */
  function place(entry) {
    if (shown.has(entry.seq)) return;
    if (entry.data?.title && entry.proposalId) titles.set(entry.proposalId, entry.data.title);
    const row = renderRow(entry);
    shown.set(entry.seq, row);
    let before = list.firstElementChild;
    while (before && Number(before.dataset.seq) > entry.seq) before = before.nextElementSibling;
    list.insertBefore(row, before);
  }

  /** The count is a polite live region: said after a page loads, not on every live entry of a busy trail. */
  function showStatus(recount) {
    const count = shown.size;
    if (recount || status.dataset.count === '0') {
      status.dataset.count = String(count);
      status.textContent = count === 0 ? t('trail.none') : next === null ? t('trail.shownAll', { count }) : t('trail.shown', { count });
    }
    olderButton.hidden = next === null || count === 0;
    end.hidden = next !== null || count === 0;
  }

  function showError(e) {
    error.textContent = problemText(e);
    error.hidden = false;
  }

  function renderHead() {
    fill(headBox,
      h('div', {}, h('dt', {}, t('trail.headSeq')), h('dd', { id: 'trail-head-seq-value' }, String(head.seq))),
      h('div', {}, h('dt', {}, t('trail.headHash')), h('dd', {}, h('code', { id: 'trail-head-hash-value', class: 'hash' }, head.hash))),
      h('div', {}, h('dt', {}, t('trail.headAt')), h('dd', {}, head.at ? h('time', { id: 'trail-head-at-value', datetime: head.at }, exactTime(head.at)) : '—')));
  }

  async function verify(expected = {}) {
    verifyButton.disabled = true;
    fill(verifyResult, h('p', { class: 'muted' }, t('trail.verifying')));
    delete verifyResult.dataset.valid;
    try {
      const result = await get(`/api/audit/verify${query(expected)}`);
      verifyResult.dataset.valid = String(result.valid);
      const against = expected.headHash ? t('trail.againstHead', { seq: expected.headSeq || '?' }) : '';
      fill(verifyResult,
        result.valid
          ? h('p', { class: 'trail-valid' }, t('trail.valid', { count: result.count, seq: result.headSeq }), against ? [' ', against] : null)
          : h('p', { class: 'trail-invalid' }, t('trail.invalid', { seq: result.firstInvalidSeq ?? '?' })),
        h('p', { class: 'trail-verified-head' }, t('trail.verifiedHead', { seq: result.headSeq }), ' ', h('code', { class: 'hash' }, result.headHash)),
        !result.valid && result.problem ? h('p', { class: 'muted trail-problem' }, result.problem) : null);
    } catch (e) {
      fill(verifyResult, h('p', { class: 'form-error' }, problemText(e)));
    } finally {
      verifyButton.disabled = false;
    }
  }

  /** One compact row: when, who, what (in words), where; what changed below it; the hashes folded. */
  function renderRow(entry) {
    const board = entry.boardId ? boards.find((b) => b.id === entry.boardId) : null;
    const title = entry.proposalId ? titles.get(entry.proposalId) : null;
    const detail = detailOf(entry);
    return h('li', { class: 'trail-entry', tabindex: '-1', dataset: { seq: entry.seq, action: entry.action } },
      h('p', { class: 'trail-line' },
        time(entry.at),
        h('span', { class: 'trail-actor' }, entry.actor?.name ?? t('trail.system')),
        h('span', { class: 'trail-action-label' }, t(`trail.action.${entry.action}`)),
        board ? h('a', { href: `#/board/${board.id}`, class: 'trail-board' }, board.name) : null,
        entry.proposalId ? h('a', { href: `#/proposal/${entry.proposalId}`, class: 'trail-proposal' }, title ?? t('trail.openProposal')) : null),
      detail ? h('p', { class: 'trail-detail' }, detail) : null,
      h('details', { class: 'trail-hashes' },
        h('summary', {}, h('span', { class: 'trail-seq' }, `#${entry.seq}`), ' ', t('trail.hashes')),
        h('dl', {},
          h('dt', {}, t('trail.hash')), h('dd', {}, h('code', { class: 'hash' }, entry.hash)),
          h('dt', {}, t('trail.prevHash')), h('dd', {}, h('code', { class: 'hash' }, entry.prevHash)))));
  }
}

/** One short line saying what the entry changed, from its data. */
function detailOf(entry) {
  const d = entry.data ?? {};
  const short = (text) => (text.length > 140 ? `${text.slice(0, 139)}…` : text);
  switch (entry.action) {
    case 'approval.added':
    case 'approval.withdrawn':
      return d.required ? t('card.progress', { count: d.counting, required: d.required, plural: d.required }) : '';
    case 'board.policy-changed':
      return d.to ? t('board.policy', { required: d.to.approvalsRequired, role: t(`role.${d.to.approverRole}`) }) : '';
    case 'board.renamed':
      return `${d.from} → ${d.to}`;
    case 'member.created':
    case 'member.roles-changed':
      return [d.displayName, (d.roles ?? d.to ?? []).map((r) => t(`role.${r}`)).join(', ')].filter(Boolean).join(' — ');
    default: {
      // A proposal's title is its link already; its words say more.
      const text = d.body ?? d.note ?? d.title ?? d.name ?? d.displayName ?? d.url ?? '';
      return typeof text === 'string' ? short(text) : '';
    }
  }
}
