// The Trail page: every audit entry, newest first and live; filters kept in the URL (#/trail/?boardId=…&action=…);
// keyset paging on seq; export links for managers and admins; and the chain's proof (verify, the head to write down).
import { get, query } from './api.js';
import { announce, clear, fill, h, time } from './dom.js';
import { formKit } from './forms.js';
import { exactTime, t } from './i18n.js';
import { Action, may, vocabulary } from './meta.js';
import { problemText } from './problems.js';
import { canCheck, latestCheckpoint, proveEntry } from './proof.js';

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
  const { main, live, me } = context;
  const canExport = may(me, 'review');
  const [members, firstHead] = await Promise.all([get('/api/members/directory'), get('/api/audit/head')]);
  const entries = trailEntries(context.boards);
  const proof = trailProof(firstHead, canExport);
  entries.checkpoint = () => proof.checkpoint;
  const filters = trailFilters(context.boards, members, canExport, readFilters(), (next) => {
    entries.filters = next;
    // The view is shareable: the URL always says what is shown (replaceState fires no hashchange, so no re-render).
    history.replaceState(null, '', `#/trail/${query(next)}`);
    entries.load();
  });
  entries.filters = filters.current;
  entries.onHead = (entry) => proof.advance(entry);

  main.append(
    h('header', { class: 'trail-top' }, h('h1', { id: 'trail-title' }, t('trail.title')), h('p', { class: 'muted' }, t('trail.intro'))),
    h('div', { class: 'trail-folds' }, filters.root, proof.root),
    entries.root);

  // Older pages load as the end of the list comes into view; the button does the same by keyboard.
  const observer = new IntersectionObserver((seen) => { if (seen.some((s) => s.isIntersecting)) entries.loadOlder(); }, { rootMargin: '400px 0px' });
  const onTrail = (e) => { for (const entry of e.detail.entries) entries.receive({ ...entry, proposal: e.detail.proposal }); };
  const onResumed = () => entries.catchUp();
  live.addEventListener('commit', onTrail);
  live.addEventListener('trailresumed', onResumed);
  await entries.load();
  observer.observe(entries.sentinel);
  live.watchTrail().then(() => entries.catchUp(), () => { /* not connected yet: 'trailresumed' follows the connect */ });

  return () => {
    entries.stop();
    observer.disconnect();
    live.removeEventListener('commit', onTrail);
    live.removeEventListener('trailresumed', onResumed);
    live.unwatchTrail();
  };
}

/** The filter form (folded until opened or in use) with the export links inside; `onApply(filters)` on a change. */
function trailFilters(boards, members, canExport, initial, onApply) {
  const labels = { boardId: 'trail.board', actorId: 'trail.member', action: 'trail.actionLabel', proposalId: 'trail.proposal', from: 'trail.from', to: 'trail.to' };
  const select = (id, name, all, options) => h('select', { id, name }, h('option', { value: '' }, all), options);
  const controls = {
    boardId: select('trail-board', 'boardId', t('trail.allBoards'), boards.map((b) => h('option', { value: b.id }, b.name))),
    actorId: select('trail-member', 'actorId', t('trail.allMembers'), members.map((m) => h('option', { value: m.id }, m.name))),
    action: select('trail-action', 'action', t('trail.allActions'), actions().map((a) => h('option', { value: a }, t(`trail.action.${a}`)))),
    proposalId: h('input', { id: 'trail-proposal', name: 'proposalId', autocomplete: 'off', spellcheck: 'false', placeholder: t('trail.proposalPlaceholder') }),
    from: h('input', { id: 'trail-from', name: 'from', type: 'datetime-local' }),
    to: h('input', { id: 'trail-to', name: 'to', type: 'datetime-local' }),
  };
  const kit = formKit(['boardId', 'actorId', 'action', 'proposalId', 'from', 'to'].map((name) => ({ name, label: t(labels[name]), control: controls[name] })));
  const activeCount = h('span', { class: 'count' });
  const csvLink = h('a', { class: 'button', id: 'trail-export-csv', download: '' }, t('trail.exportCsv'));
  const jsonlLink = h('a', { class: 'button', id: 'trail-export-jsonl', download: '' }, t('trail.exportJsonl'));
  const form = h('form', { class: 'form trail-filters', id: 'trail-filters', 'aria-labelledby': 'trail-filters-heading', novalidate: true },
    h('div', { class: 'trail-filter-grid' }, kit.nodes),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'button button-primary' }, t('trail.apply')),
      h('button', { type: 'button', class: 'button button-quiet', id: 'trail-clear', onclick: clearAll }, t('trail.clear'))),
    // Export, for managers and admins only: the server refuses everyone else anyway.
    canExport ? h('section', { class: 'trail-export', 'aria-labelledby': 'trail-export-heading' },
      h('h2', { id: 'trail-export-heading', class: 'small-heading' }, t('trail.export')), h('div', { class: 'actions' }, csvLink, jsonlLink)) : null);
  // Entries first: the filters fold away until opened (or until a filter is in use, which the URL may bring).
  const root = h('details', { class: 'card trail-filter-box', id: 'trail-filter-box', open: Object.keys(initial).length > 0 },
    h('summary', {}, h('h2', { id: 'trail-filters-heading' }, t('trail.filters'), ' ', activeCount)), form);
  const part = { root, current: initial };
  form.addEventListener('submit', (e) => { e.preventDefault(); apply(); });
  form.addEventListener('change', (e) => { if (e.target !== controls.proposalId) apply(); });
  show();
  return part;

  function show() {
    const f = part.current;
    activeCount.textContent = Object.keys(f).length ? t('trail.filtersActive', { count: Object.keys(f).length }) : '';
    for (const key of ['boardId', 'actorId', 'action', 'proposalId']) controls[key].value = f[key] ?? '';
    controls.from.value = toLocalInput(f.from);
    controls.to.value = toLocalInput(f.to);
    csvLink.href = `/api/audit/export${query({ format: 'csv', ...f })}`;
    jsonlLink.href = `/api/audit/export${query({ format: 'jsonl', ...f })}`;
  }

  function apply() {
    const text = controls.proposalId.value.trim();
    const proposalId = text.match(guidPattern)?.[0];
    const invalid = Boolean(text) && !proposalId;
    kit.show(null);
    if (invalid) { kit.mark('proposalId', t('trail.proposalInvalid')); return; }
    const wanted = {
      boardId: controls.boardId.value, actorId: controls.actorId.value, action: controls.action.value, proposalId,
      from: fromLocalInput(controls.from.value), to: fromLocalInput(controls.to.value),
    };
    for (const key of filterKeys) if (!wanted[key]) delete wanted[key];
    if (sameFilters(wanted, part.current)) return;
    part.current = wanted;
    show();
    onApply(wanted);
  }

  function clearAll() {
    for (const input of Object.values(controls)) input.value = '';
    apply();
  }
}

/** The chain's proof, folded until opened: the head to write down, verify, and verify against a head given earlier. */
function trailProof(firstHead, canDownload) {
  let head = firstHead;
  const checkpointBox = h('div', { class: 'trail-checkpoint', id: 'trail-checkpoint-box' }, h('p', { class: 'muted' }, t('trail.checkpointLoading')));
  const headBox = h('dl', { class: 'trail-head', id: 'trail-head' });
  const verifyButton = h('button', { type: 'button', class: 'button button-primary', id: 'trail-verify', onclick: () => verify() }, t('trail.verify'));
  const result = h('div', { class: 'trail-verify-result', id: 'trail-verify-result', role: 'status' });
  const headSeqInput = h('input', { id: 'trail-head-seq', inputmode: 'numeric', autocomplete: 'off', pattern: '[0-9]*' });
  const headHashInput = h('input', { id: 'trail-head-hash', autocomplete: 'off', spellcheck: 'false', maxlength: '64' });
  const field = (label, input) => h('div', { class: 'field' }, h('label', { for: input.id }, label), input);
  const earlierForm = h('form', { class: 'form trail-earlier', novalidate: true },
    field(t('trail.headSeq'), headSeqInput), field(t('trail.headHash'), headHashInput),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button', id: 'trail-verify-earlier' }, t('trail.verifyEarlier'))));
  earlierForm.addEventListener('submit', (e) => {
    e.preventDefault();
    verify({ headSeq: headSeqInput.value.trim(), headHash: headHashInput.value.trim() });
  });
  const root = h('details', { class: 'card trail-proof', id: 'trail-proof-box' },
    h('summary', {}, h('h2', { id: 'trail-proof-heading' }, t('trail.proof'))),
    h('p', { class: 'muted' }, t('trail.headHint')), headBox,
    h('div', { class: 'actions' }, verifyButton), result,
    h('details', { class: 'trail-earlier-box' }, h('summary', {}, t('trail.earlier')), earlierForm),
    h('section', { 'aria-labelledby': 'trail-checkpoint-heading' },
      h('h3', { id: 'trail-checkpoint-heading', class: 'small-heading' }, t('trail.checkpoint')),
      h('p', { class: 'muted' }, t('trail.checkpointHint')), checkpointBox));
  renderHead();
  const state = {
    root,
    checkpoint: null,
    advance(entry) { if (entry.seq > head.seq) { head = { seq: entry.seq, hash: entry.hash, at: entry.at }; renderHead(); } },
  };
  latestCheckpoint().then((checkpoint) => {
    state.checkpoint = checkpoint;
    fill(checkpointBox,
      checkpoint
        ? [h('p', {}, t('trail.checkpointSize', { size: checkpoint.size })),
          h('pre', { class: 'hash trail-checkpoint-text', id: 'trail-checkpoint-text', tabindex: '0', 'aria-label': t('trail.checkpoint') }, checkpoint.text)]
        : h('p', { class: 'muted', id: 'trail-checkpoint-none' }, t('trail.checkpointNone')),
      canDownload
        ? h('div', { class: 'actions' },
          checkpoint ? h('a', { class: 'button', id: 'trail-checkpoint-download', href: '/api/audit/checkpoint', download: `board-checkpoint-${checkpoint.size}.txt` }, t('trail.downloadCheckpoint')) : null,
          h('a', { class: 'button', id: 'trail-key-download', href: '/api/audit/key', download: 'board-trail.vkey' }, t('trail.downloadKey')))
        : null);
  }, () => fill(checkpointBox, h('p', { class: 'form-error' }, t('trail.checkpointFailed'))));
  return state;

  function renderHead() {
    fill(headBox,
      h('div', {}, h('dt', {}, t('trail.headSeq')), h('dd', { id: 'trail-head-seq-value' }, String(head.seq))),
      h('div', {}, h('dt', {}, t('trail.headHash')), h('dd', {}, h('code', { id: 'trail-head-hash-value', class: 'hash' }, head.hash))),
      h('div', {}, h('dt', {}, t('trail.headAt')), h('dd', {}, head.at ? h('time', { id: 'trail-head-at-value', datetime: head.at }, exactTime(head.at)) : '—')));
  }

  async function verify(expected = {}) {
    verifyButton.disabled = true;
    fill(result, h('p', { class: 'muted' }, t('trail.verifying')));
    delete result.dataset.valid;
    try {
      const answer = await get(`/api/audit/verify${query(expected)}`);
      result.dataset.valid = String(answer.valid);
      const against = expected.headHash ? t('trail.againstHead', { seq: expected.headSeq || '?' }) : '';
      fill(result,
        answer.valid
          ? h('p', { class: 'trail-valid' }, t('trail.valid', { count: answer.count, seq: answer.headSeq }), against ? [' ', against] : null)
          : h('p', { class: 'trail-invalid' }, t('trail.invalid', { seq: answer.firstInvalidSeq ?? '?' })),
        h('p', { class: 'trail-verified-head' }, t('trail.verifiedHead', { seq: answer.headSeq }), ' ', h('code', { class: 'hash' }, answer.headHash)),
        !answer.valid && answer.problem ? h('p', { class: 'muted trail-problem' }, answer.problem) : null);
    } catch (e) {
      fill(result, h('p', { class: 'form-error' }, problemText(e)));
    } finally {
      verifyButton.disabled = false;
    }
  }
}

/**
 * The entries: newest first, keyset pages on seq, live ones at the top (or behind a "show new" button when the
 * reader has scrolled into the list), each once. Its methods are below, each over this one state.
 */
function trailEntries(boards) {
  const state = {
    boards, filters: {}, generation: 0, next: null, loading: false, onHead: () => {},
    shown: new Map(), pending: new Map(), titles: new Map(),
    status: h('p', { class: 'muted trail-status', id: 'trail-status', role: 'status' }),
    newButton: h('button', { type: 'button', class: 'button trail-new', id: 'trail-new', hidden: true }),
    list: h('ol', { class: 'trail-list', id: 'trail-list', 'aria-labelledby': 'trail-entries-heading' }),
    olderButton: h('button', { type: 'button', class: 'button', id: 'trail-older', hidden: true }, t('trail.older')),
    end: h('p', { class: 'muted trail-end', id: 'trail-end', hidden: true }, t('trail.end')),
    error: h('p', { class: 'form-error', role: 'alert', hidden: true }),
    sentinel: h('div', { class: 'trail-sentinel', 'aria-hidden': 'true' }),
  };
  state.newButton.addEventListener('click', () => showPending(state));
  state.olderButton.addEventListener('click', () => loadOlder(state));
  state.root = h('section', { class: 'trail-entries', 'aria-labelledby': 'trail-entries-heading' },
    h('h2', { id: 'trail-entries-heading', class: 'visually-hidden' }, t('trail.entries')),
    state.status, state.newButton, state.error, state.list, state.olderButton, state.end, state.sentinel);
  return Object.assign(state, {
    load: () => loadPage(state, false),
    loadOlder: () => loadOlder(state),
    catchUp: () => catchUp(state),
    receive: (entry) => receive(state, entry),
    stop: () => { state.generation++; },
  });
}

function loadOlder(state) {
  if (!state.loading && state.next !== null && state.shown.size > 0) loadPage(state, true);
}

/** The newest page of a fresh view, or the page just before the oldest entry shown (keyset on seq). */
async function loadPage(state, older) {
  const id = older ? state.generation : ++state.generation;
  if (!older) {
    state.shown.clear();
    state.pending.clear();
    clear(state.list);
    state.newButton.hidden = true;
  }
  state.loading = true;
  state.olderButton.disabled = true;
  state.error.hidden = true;
  try {
    const before = older ? Number(state.list.lastElementChild.dataset.seq) : undefined;
    const page = await get(`/api/audit${query({ ...state.filters, before, limit: pageSize })}`);
    if (id !== state.generation) return;
    state.next = page.next;
    for (const entry of page.items) place(state, entry);
    showStatus(state, true);
  } catch (e) {
    if (id === state.generation) { state.error.textContent = problemText(e); state.error.hidden = false; }
  } finally {
    if (id === state.generation) {
      state.loading = false;
      state.olderButton.disabled = false;
    }
  }
}

/** What was committed since the newest entry this view knows of: after the hub group is (re)joined. */
async function catchUp(state) {
  const id = state.generation;
  try {
    for (;;) {
      // Everything matching at or below the newest entry shown is shown already or reachable by paging older.
      const after = Math.max(Number(state.list.firstElementChild?.dataset.seq ?? 0), ...state.pending.keys());
      const page = await get(`/api/audit${query({ ...state.filters, after, limit: catchUpLimit })}`);
      if (id !== state.generation) return;
      for (const entry of page.items) receive(state, entry);
      if (page.items.length < catchUpLimit) return;
    }
  } catch {
    // The next reconnect catches up again.
  }
}

function matches(filters, entry) {
  if (filters.boardId && entry.boardId !== filters.boardId) return false;
  if (filters.proposalId && entry.proposalId !== filters.proposalId) return false;
  if (filters.actorId && entry.actor?.id !== filters.actorId) return false;
  if (filters.action && entry.action !== filters.action) return false;
  if (filters.from && Date.parse(entry.at) < Date.parse(filters.from)) return false;
  if (filters.to && Date.parse(entry.at) >= Date.parse(filters.to)) return false;
  return true;
}

/** A new entry, live or caught up: at the top, unless the reader has scrolled down into the list. */
function receive(state, entry) {
  if (entry.proposal?.title) state.titles.set(entry.proposalId, entry.proposal.title);
  state.onHead(entry);
  if (!matches(state.filters, entry) || state.shown.has(entry.seq) || state.pending.has(entry.seq)) return;
  if (state.list.getBoundingClientRect().top < 0) {
    state.pending.set(entry.seq, entry);
    state.newButton.textContent = t('trail.newEntries', { count: state.pending.size });
    state.newButton.hidden = false;
    return;
  }
  place(state, entry);
  showStatus(state, false);
}

function showPending(state) {
  for (const entry of state.pending.values()) place(state, entry);
  const count = state.pending.size;
  state.pending.clear();
  state.newButton.hidden = true;
  showStatus(state, false);
  state.list.scrollIntoView({ block: 'start' });
  state.list.firstElementChild?.focus();
  announce(t('trail.newShown', { count }));
}

/** Inserts an entry's row in seq order (newest first), once. */
function place(state, entry) {
  if (state.shown.has(entry.seq)) return;
  if (entry.data?.title && entry.proposalId) state.titles.set(entry.proposalId, entry.data.title);
  const row = entryRow(entry, state.boards, state.titles, () => state.checkpoint?.());
  state.shown.set(entry.seq, row);
  let before = state.list.firstElementChild;
  while (before && Number(before.dataset.seq) > entry.seq) before = before.nextElementSibling;
  state.list.insertBefore(row, before);
}

/** The count is a polite live region: said after a page loads, not on every live entry of a busy trail. */
function showStatus(state, recount) {
  const count = state.shown.size;
  const { status, next } = state;
  if (recount || status.dataset.count === '0') {
    status.dataset.count = String(count);
    status.textContent = count === 0 ? t('trail.none') : next === null ? t('trail.shownAll', { count }) : t('trail.shown', { count });
  }
  state.olderButton.hidden = next === null || count === 0;
  state.end.hidden = next !== null || count === 0;
}

/** One compact row: when, who, what (in words), where; what changed below it; the hashes folded. */
function entryRow(entry, boards, titles, checkpoint) {
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
        h('dt', {}, t('trail.prevHash')), h('dd', {}, h('code', { class: 'hash' }, entry.prevHash))),
      proveControl(entry, checkpoint)));
}

/** "Prove this entry": its inclusion proof in the latest checkpoint, checked in this browser against the signed root. */
function proveControl(entry, checkpoint) {
  const out = h('div', { class: 'trail-prove-result', role: 'status' });
  const button = h('button', { type: 'button', class: 'button trail-prove' }, t('trail.prove'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    fill(out, h('p', { class: 'muted' }, t('trail.proving')));
    try {
      const latest = checkpoint();
      const covered = latest && entry.seq <= latest.size;
      const { proof, verified } = await proveEntry(entry, covered ? latest.size : entry.seq, covered ? latest.root : null);
      const message = !covered ? t('trail.proofNoCheckpoint')
        : verified === true ? t('trail.proofVerified', { size: latest.size })
          : verified === false ? t('trail.proofFailed', { size: latest.size })
            : canCheck() ? '' : t('trail.proofNotChecked');
      out.dataset.verified = String(verified);
      fill(out,
        h('p', { class: verified === false ? 'trail-invalid' : verified ? 'trail-valid' : 'muted' }, message),
        h('p', { class: 'muted' }, t('trail.proofPath', { seq: proof.seq, size: proof.size, count: proof.hashes.length })),
        proof.hashes.length ? h('ol', { class: 'trail-proof-path' }, proof.hashes.map((x) => h('li', {}, h('code', { class: 'hash' }, x)))) : null);
    } catch (e) {
      fill(out, h('p', { class: 'form-error' }, problemText(e)));
    } finally {
      button.disabled = false;
    }
  });
  return h('div', { class: 'trail-prove-box' }, h('div', { class: 'actions' }, button), out);
}

/** One short line saying what the entry changed, from its data. */
function detailOf(entry) {
  const d = entry.data ?? {};
  const short = (text) => (text.length > 140 ? `${text.slice(0, 139)}…` : text);
  switch (entry.action) {
    case Action.approvalAdded:
    case Action.approvalWithdrawn:
      return d.required ? t('card.progress', { count: d.counting, required: d.required, plural: d.required }) : '';
    case Action.boardPolicyChanged:
      return d.to ? t('board.policy', { required: d.to.approvalsRequired, role: t(`role.${d.to.approverRole}`) }) : '';
    case Action.boardRenamed:
      return `${d.from} → ${d.to}`;
    case Action.attachmentAdded:
    case Action.attachmentRemoved:
      // The photo is named by the SHA-256 of its stored bytes, as the approval hash covers it.
      return [d.alt, d.sha256 ? t('trail.photoHash', { hash: d.sha256 }) : ''].filter(Boolean).join(' — ');
    case Action.memberCreated:
    case Action.memberRolesChanged:
      return [d.displayName, (d.roles ?? d.to ?? []).map((r) => t(`role.${r}`)).join(', ')].filter(Boolean).join(' — ');
    default: {
      // A proposal's title is its link already; its words say more.
      const text = d.body ?? d.note ?? d.title ?? d.name ?? d.displayName ?? d.url ?? '';
      return typeof text === 'string' ? short(text) : '';
    }
  }
}
