// A board: its proposals grouped by state, search, posting, presence, and every change live.
import { get, post, query } from './api.js';
import { announce, clear, fill, h, time, toast } from './dom.js';
import { t } from './i18n.js';
import { approvalsLine, progress, statusBadge } from './cards.js';
import { composeForm } from './proposal.js';

const groups = [
  { key: 'open', statuses: ['open'], label: 'board.open' },
  // Waiting for their outcome: the longest-waiting first, so nothing decided is forgotten.
  { key: 'executed', statuses: ['executed'], label: 'board.executed', sort: 'executed' },
  { key: 'done', statuses: ['done'], label: 'board.done' },
  { key: 'closed', statuses: ['withdrawn', 'expired'], label: 'board.closed', folded: true },
];
const groupOf = (status) => groups.find((g) => g.statuses.includes(status));
const newestPostedFirst = (a, b) => b.postedAt.localeCompare(a.postedAt);
const oldestExecutedFirst = (a, b) => (a.executedAt ?? '').localeCompare(b.executedAt ?? '');

export async function render(context, boardId) {
  const { main, live } = context;
  const board = await get(`/api/boards/${boardId}`);
  // Everything after this seq arrives live or by catch-up; what the lists load below already includes it.
  const { headSeq } = await get(`/api/audit${query({ boardId, limit: 1 })}`);

  const proposals = new Map();
  const state = Object.fromEntries(groups.map((g) => [g.key, { ids: [], total: 0, page: 1 }]));
  const justExecuted = new Set();
  let q = '';

  const presence = h('ul', { class: 'presence-list', id: 'presence' });
  const searchInput = h('input', { id: 'search', type: 'search', placeholder: t('board.searchPlaceholder'), autocomplete: 'off' });
  const searchStatus = h('p', { class: 'muted search-status', role: 'status' });
  const composer = h('div', { class: 'composer', id: 'composer', hidden: true });
  const newButton = h('button', { type: 'button', class: 'button button-primary', id: 'new-proposal', 'aria-expanded': 'false', 'aria-controls': 'composer' }, t('board.new'));
  const sections = Object.fromEntries(groups.map((g) => [g.key, groupSection(g)]));

  main.append(
    h('header', { class: 'board-head' },
      h('div', {},
        h('h1', { id: 'board-title' }, board.name),
        h('p', { class: 'muted' }, t('board.policy', { required: board.policy.approvalsRequired, role: t(`role.${board.policy.approverRole}`) }))),
      newButton),
    composer,
    h('section', { class: 'presence', 'aria-labelledby': 'presence-heading' },
      h('h2', { id: 'presence-heading', class: 'small-heading' }, t('board.presence')), presence),
    h('form', { class: 'search', role: 'search', onsubmit: (e) => { e.preventDefault(); search(); } },
      h('label', { for: 'search' }, t('board.search')),
      h('div', { class: 'search-row' }, searchInput,
        h('button', { type: 'button', class: 'button button-quiet', onclick: () => { searchInput.value = ''; search(); } }, t('board.searchClear')))),
    searchStatus,
    ...groups.map((g) => sections[g.key].root));

  let searchTimer;
  searchInput.addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(search, 300); });

  newButton.addEventListener('click', () => {
    const opening = composer.hidden;
    composer.hidden = !opening;
    newButton.setAttribute('aria-expanded', String(opening));
    if (opening) {
      fill(composer, composeForm({
        heading: t('post.heading'),
        submitLabel: t('post.submit'),
        onCancel: close,
        onSubmit: async (title, body) => {
          const created = await post(`/api/boards/${boardId}/proposals`, { title, body });
          upsert(created);
          close();
          toast(t('post.posted', { title: created.title }));
          announce(t('post.posted', { title: created.title }));
        },
      }));
      composer.querySelector('input').focus();
    }
    function close() {
      composer.hidden = true;
      clear(composer);
      newButton.setAttribute('aria-expanded', 'false');
      newButton.focus();
    }
  });

  await load();
  renderPresence(live.presence(boardId));

  const onCommit = (e) => applyCommit(e.detail);
  const onPresence = (e) => { if (e.detail.boardId === boardId) renderPresence(e.detail.members); };
  live.addEventListener('commit', onCommit);
  live.addEventListener('presence', onPresence);
  live.watch(boardId, headSeq);

  return () => {
    live.removeEventListener('commit', onCommit);
    live.removeEventListener('presence', onPresence);
    clearTimeout(searchTimer);
  };

  async function search() {
    const next = searchInput.value.trim();
    if (next === q) return;
    q = next;
    await load();
  }

  async function load() {
    const pages = await Promise.all(groups.map((g) => get(`/api/boards/${boardId}/proposals${query({ status: g.statuses.join(','), q, sort: g.sort, page: 1 })}`)));
    proposals.clear();
    groups.forEach((g, i) => {
      state[g.key] = { ids: pages[i].items.map((p) => p.id), total: pages[i].total, page: 1 };
      for (const p of pages[i].items) proposals.set(p.id, p);
    });
    searchStatus.textContent = q ? t('board.searchResult', { count: groups.reduce((n, g) => n + state[g.key].total, 0), q }) : '';
    for (const g of groups) renderGroup(g);
  }

  async function more(g) {
    const s = state[g.key];
    const page = await get(`/api/boards/${boardId}/proposals${query({ status: g.statuses.join(','), q, sort: g.sort, page: s.page + 1 })}`);
    s.page += 1;
    s.total = page.total;
    for (const p of page.items) {
      if (!s.ids.includes(p.id)) s.ids.push(p.id);
      proposals.set(p.id, p);
    }
    renderGroup(g);
  }

  function matches(p) {
    if (!q) return true;
    const needle = q.toLowerCase();
    return p.title.toLowerCase().includes(needle) || (p.body ?? p.excerpt ?? '').toLowerCase().includes(needle);
  }

  /** Puts a proposal (summary or full) where its status says, unless an older version arrives late. */
  function upsert(p) {
    const known = proposals.get(p.id);
    if (known && known.version > p.version) return;
    if (!known && !matches(p)) return;
    proposals.set(p.id, { ...known, ...p, commentCount: p.comments ? p.comments.length : p.commentCount ?? known?.commentCount ?? 0 });
    const target = groupOf(p.status);
    for (const g of groups) {
      const s = state[g.key];
      const at = s.ids.indexOf(p.id);
      if (g === target) {
        if (at < 0) {
          s.ids.push(p.id);
          const order = g.sort === 'executed' ? oldestExecutedFirst : newestPostedFirst;
          s.ids.sort((a, b) => order(proposals.get(a), proposals.get(b)));
          s.total += 1;
        }
      } else if (at >= 0) {
        s.ids.splice(at, 1);
        s.total -= 1;
      }
      renderGroup(g);
    }
  }

  /** A commit applies whole: the approval that decides and the execution show together. */
  function applyCommit({ entries, proposal: p }) {
    if (!p || p.boardId !== boardId) return;
    const executed = entries.find((entry) => entry.action === 'proposal.executed');
    if (executed) {
      justExecuted.add(p.id);
      const text = t('live.executed', { title: p.title, name: executed.actor.name });
      toast(text, 'executed');
      announce(text);
    }
    upsert(p);
  }

  function groupSection(g) {
    const listEl = h('ol', { class: 'cards', id: `group-${g.key}`, dataset: { group: g.key } });
    const count = h('span', { class: 'count' });
    const empty = h('p', { class: 'muted empty' }, t('board.emptyGroup'));
    const moreButton = h('button', { type: 'button', class: 'button button-quiet', hidden: true, onclick: () => more(g) });
    const heading = h('h2', { id: `heading-${g.key}` }, t(g.label), ' ', count);
    const body = [listEl, empty, moreButton];
    const root = g.folded
      ? h('details', { class: 'group group-folded', 'aria-labelledby': `heading-${g.key}` }, h('summary', {}, heading), ...body)
      : h('section', { class: 'group', 'aria-labelledby': `heading-${g.key}` }, heading, ...body);
    return { root, listEl, count, empty, moreButton, cards: new Map() };
  }

  function renderGroup(g) {
    const section = sections[g.key];
    const s = state[g.key];
    section.count.textContent = `(${s.total})`;
    section.empty.hidden = s.ids.length > 0;
    section.moreButton.hidden = s.ids.length >= s.total;
    section.moreButton.textContent = t('board.more', { shown: s.ids.length, total: s.total });
    // Keyed: a card keeps its element (and focus) while only its contents change.
    const wanted = new Set(s.ids);
    for (const [id, card] of section.cards) if (!wanted.has(id)) { card.el.remove(); section.cards.delete(id); }
    let previous = null;
    for (const id of s.ids) {
      const p = proposals.get(id);
      let card = section.cards.get(id);
      if (!card) {
        card = { el: h('li', { class: 'card proposal-card', dataset: { id } }), version: -1 };
        section.cards.set(id, card);
      }
      const executedNow = justExecuted.has(id);
      if (card.version !== p.version || card.executedNow !== executedNow) {
        fillCard(card.el, p, executedNow);
        card.version = p.version;
        card.executedNow = executedNow;
      }
      const expectedPosition = previous ? previous.nextSibling : section.listEl.firstChild;
      if (expectedPosition !== card.el) section.listEl.insertBefore(card.el, expectedPosition);
      previous = card.el;
    }
  }

  function fillCard(el, p, executedNow) {
    el.dataset.status = p.status;
    el.classList.toggle('just-executed', executedNow);
    fill(el, 
      h('div', { class: 'card-top' },
        h('h3', { class: 'card-title' }, h('a', { href: `#/proposal/${p.id}` }, p.title)),
        statusBadge(p.status)),
      executedNow ? h('p', { class: 'executed-flag' }, t('card.justExecuted')) : null,
      h('p', { class: 'meta' }, t('card.by', { name: p.author.name }), ' · ', time(p.postedAt),
        p.status === 'executed' && p.executedAt ? [' · ', t('card.executed'), ' ', time(p.executedAt)] : null,
        p.commentCount ? [' · ', t('card.comments', { count: p.commentCount })] : null),
      p.status === 'open' || p.status === 'executed' ? progress(p) : null,
      p.status === 'open' || p.status === 'executed' ? approvalsLine(p) : null);
  }

  function renderPresence(members) {
    clear(presence);
    if (members.length === 0) presence.append(h('li', { class: 'muted' }, t('board.presenceNone')));
    for (const m of members) presence.append(h('li', { class: 'person', dataset: { memberId: m.id } }, m.name));
  }
}
