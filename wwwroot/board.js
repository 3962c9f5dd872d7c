// A board: its proposals under status tabs (open, awaiting outcome, done, closed) with counts and a sort, search,
// posting, presence, and every change live. The tab and sort live in the URL: #/board/{id}?tab=done&sort=oldest.
import { get, post, query } from './api.js';
import { announce, clear, fill, h, toast } from './dom.js';
import { t } from './i18n.js';
import { cardBody } from './cards.js';
import { composeForm } from './forms.js';
import { Action, Status } from './meta.js';
import { sendPhotos } from './photos.js';
import { problemText } from './problems.js';

// The tabs, over the server's statuses (GET /api/meta), built once the vocabulary is loaded. The server's sort by
// execution time is named after the status, as its list of sorts does (?sort=executed).
let groups = null;
const tabs = () => [
  { key: Status.open, statuses: [Status.open], sorts: ['posted', 'oldest'] },
  // Waiting for their outcome: the longest-waiting first by default, so nothing decided is forgotten.
  { key: Status.executed, statuses: [Status.executed], sorts: [Status.executed, 'posted', 'oldest'] },
  { key: Status.done, statuses: [Status.done], sorts: ['posted', 'oldest'] },
  { key: 'closed', statuses: [Status.withdrawn, Status.expired], sorts: ['posted', 'oldest'] },
];
const groupOf = (status) => groups.find((g) => g.statuses.includes(status));
const orders = {
  posted: (a, b) => b.postedAt.localeCompare(a.postedAt),
  oldest: (a, b) => a.postedAt.localeCompare(b.postedAt),
  byExecution: (a, b) => (a.executedAt ?? '').localeCompare(b.executedAt ?? ''),
};
const orderOf = (sort) => (sort === Status.executed ? orders.byExecution : orders[sort]);

/** The tab and sort asked for by the URL, or the defaults. */
function readView(search) {
  const params = new URLSearchParams(search ?? '');
  const group = groups.find((g) => g.key === params.get('tab')) ?? groups[0];
  const sort = group.sorts.includes(params.get('sort')) ? params.get('sort') : group.sorts[0];
  return { tab: group.key, sort };
}

export async function render(context, param) {
  groups ??= tabs();
  const [boardId, search] = param.split('?');
  const { main, live } = context;
  const board = await get(`/api/boards/${boardId}`);
  // Everything after this seq arrives live or by catch-up; what the lists load below already includes it.
  const { headSeq } = await get(`/api/audit${query({ boardId, limit: 1 })}`);
  const view = readView(search);
  const page = boardPage(board, view);
  main.append(...page.nodes);
  await page.load();
  page.renderPresence(live.presence(boardId));

  const onCommit = (e) => page.applyCommit(e.detail);
  const onPresence = (e) => { if (e.detail.boardId === boardId) page.renderPresence(e.detail.members); };
  live.addEventListener('commit', onCommit);
  live.addEventListener('presence', onPresence);
  live.watch(boardId, headSeq);
  return () => {
    live.removeEventListener('commit', onCommit);
    live.removeEventListener('presence', onPresence);
    page.stop();
  };
}

/** The board's lists by tab, as loaded and as commits change them; `onGroup(g)` redraws one. */
function boardLists(boardId, view, onGroup) {
  const proposals = new Map();
  const state = Object.fromEntries(groups.map((g) => [g.key, { ids: [], total: 0, page: 1 }]));
  const lists = { proposals, state, q: '' };
  const sortOf = (g) => (g.key === view.tab ? view.sort : g.sorts[0]);
  const listUrl = (g, n) => `/api/boards/${boardId}/proposals${query({ status: g.statuses.join(','), q: lists.q, sort: sortOf(g), page: n })}`;
  const matches = (p) => !lists.q || p.title.toLowerCase().includes(lists.q.toLowerCase())
    || (p.body ?? p.excerpt ?? '').toLowerCase().includes(lists.q.toLowerCase());

  lists.load = async () => {
    const pages = await Promise.all(groups.map((g) => get(listUrl(g, 1))));
    proposals.clear();
    groups.forEach((g, i) => {
      state[g.key] = { ids: pages[i].items.map((p) => p.id), total: pages[i].total, page: 1 };
      for (const p of pages[i].items) proposals.set(p.id, p);
    });
    for (const g of groups) onGroup(g);
  };
  lists.total = () => groups.reduce((n, g) => n + state[g.key].total, 0);
  lists.reload = async (g) => {
    const result = await get(listUrl(g, 1));
    state[g.key] = { ids: result.items.map((p) => p.id), total: result.total, page: 1 };
    for (const p of result.items) proposals.set(p.id, p);
    onGroup(g);
  };
  lists.more = async (g) => {
    const s = state[g.key];
    const result = await get(listUrl(g, s.page + 1));
    s.page += 1;
    s.total = result.total;
    for (const p of result.items) {
      if (!s.ids.includes(p.id)) s.ids.push(p.id);
      proposals.set(p.id, p);
    }
    onGroup(g);
  };
  /** Puts a proposal (summary or full) where its status says, unless an older version arrives late. */
  lists.upsert = (p) => {
    const known = proposals.get(p.id);
    if (known && known.version > p.version) return;
    if (!known && !matches(p)) return;
    proposals.set(p.id, { ...known, ...p, commentCount: p.comments ? p.comments.length : p.commentCount ?? known?.commentCount ?? 0 });
    const target = groupOf(p.status);
    for (const g of groups) {
      const s = state[g.key];
      const at = s.ids.indexOf(p.id);
      if (g === target && at < 0) {
        s.ids.push(p.id);
        s.ids.sort((x, y) => orderOf(sortOf(g))(proposals.get(x), proposals.get(y)));
        s.total += 1;
      } else if (g !== target && at >= 0) {
        s.ids.splice(at, 1);
        s.total -= 1;
      }
      onGroup(g);
    }
  };
  return lists;
}

/** The board's page: its parts, and how each change redraws what it touches. */
function boardPage(board, view) {
  const boardId = board.id;
  const justExecuted = new Set();
  let searchTimer;
  const presence = h('ul', { class: 'presence-list', id: 'presence' });
  const searchInput = h('input', { id: 'search', type: 'search', placeholder: t('board.searchPlaceholder'), autocomplete: 'off' });
  const searchStatus = h('p', { class: 'muted search-status', role: 'status' });
  const lists = boardLists(boardId, view, renderGroup);
  const sections = Object.fromEntries(groups.map((g) => [g.key, groupSection(g, () => lists.more(g))]));
  const tabs = statusTabs(boardId, view, select);
  const compose = composer(boardId, (created) => lists.upsert(created));
  const sortSelect = h('select', { id: 'board-sort' });
  sortSelect.addEventListener('change', () => { view.sort = sortSelect.value; writeUrl(); lists.reload(currentGroup()); });
  searchInput.addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(searchNow, 300); });
  const currentGroup = () => groups.find((g) => g.key === view.tab);

  const nodes = layout(board, { compose, presence, searchInput, searchStatus, tabs, sortSelect, sections,
    onSearch: searchNow, onClear: () => { searchInput.value = ''; searchNow(); } });

  function writeUrl() {
    const g = currentGroup();
    const params = { tab: g === groups[0] ? undefined : g.key, sort: view.sort === g.sorts[0] ? undefined : view.sort };
    history.replaceState(null, '', `#/board/${boardId}${query(params)}`);
  }

  function select(key) {
    view.tab = key;
    view.sort = currentGroup().sorts[0];
    writeUrl();
    renderView();
  }

  function renderView() {
    tabs.select(view.tab);
    fill(sortSelect, currentGroup().sorts.map((s) => h('option', { value: s, selected: s === view.sort }, t(`board.sort.${s}`))));
    for (const g of groups) sections[g.key].root.hidden = g.key !== view.tab;
  }

  async function searchNow() {
    const next = searchInput.value.trim();
    if (next === lists.q) return;
    lists.q = next;
    await load();
  }

  async function load() {
    await lists.load();
    searchStatus.textContent = lists.q ? t('board.searchResult', { count: lists.total(), q: lists.q }) : '';
    renderView();
  }

  /** A commit applies whole: the approval that decides and the execution show together. */
  function applyCommit({ entries, proposal: p }) {
    if (!p || p.boardId !== boardId) return;
    const executed = entries.find((entry) => entry.action === Action.proposalExecuted);
    if (executed) {
      justExecuted.add(p.id);
      const text = t('live.executed', { title: p.title, name: executed.actor.name });
      toast(text, Status.executed);
      announce(text);
    }
    lists.upsert(p);
  }

  function renderGroup(g) {
    tabs.count(g.key, lists.state[g.key].total);
    renderCards(sections[g.key], lists.state[g.key], lists.proposals, justExecuted);
  }

  function renderPresence(members) {
    fill(presence, members.length ? members.map((m) => h('li', { class: 'person', dataset: { memberId: m.id } }, m.name))
      : h('li', { class: 'muted' }, t('board.presenceNone')));
  }

  return { nodes, load, applyCommit, renderPresence, stop: () => clearTimeout(searchTimer) };
}

/** The page's parts in reading order: title and policy, composer, presence, search, tabs and sort, the lists. */
function layout(board, { compose, presence, searchInput, searchStatus, tabs, sortSelect, sections, onSearch, onClear }) {
  return [
    h('header', { class: 'board-head' },
      h('div', {},
        h('h1', { id: 'board-title' }, board.name),
        h('p', { class: 'muted' }, t('board.policy', { required: board.policy.approvalsRequired, role: t(`role.${board.policy.approverRole}`) }))),
      compose.button),
    compose.area,
    h('section', { class: 'presence', 'aria-labelledby': 'presence-heading' },
      h('h2', { id: 'presence-heading', class: 'small-heading' }, t('board.presence')), presence),
    h('form', { class: 'search', role: 'search', onsubmit: (e) => { e.preventDefault(); onSearch(); } },
      h('label', { for: 'search' }, t('board.search')),
      h('div', { class: 'search-row' }, searchInput, h('button', { type: 'button', class: 'button button-quiet', onclick: onClear }, t('board.searchClear')))),
    searchStatus, tabs.root,
    h('div', { class: 'sort-row' }, h('label', { for: 'board-sort' }, t('board.sort')), sortSelect),
    ...groups.map((g) => sections[g.key].root),
  ];
}

/** The status tabs: links (so each tab has its own address), switched in place. */
function statusTabs(boardId, view, onSelect) {
  const links = new Map();
  const counts = new Map();
  const root = h('nav', { class: 'status-tabs', 'aria-label': t('board.tabs') },
    h('ul', {}, groups.map((g) => {
      const count = h('span', { class: 'tab-count' }, '0');
      const link = h('a', { href: `#/board/${boardId}${g === groups[0] ? '' : `?tab=${g.key}`}`, id: `tab-${g.key}`, dataset: { tab: g.key } },
        h('span', {}, t(`board.tab.${g.key}`)), ' ', count);
      link.addEventListener('click', (e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        onSelect(g.key);
      });
      links.set(g.key, link);
      counts.set(g.key, count);
      return h('li', {}, link);
    })));
  return {
    root,
    select(key) { for (const [k, link] of links) if (k === key) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current'); },
    count(key, n) { counts.get(key).textContent = String(n); },
  };
}

function groupSection(g, onMore) {
  const listEl = h('ol', { class: 'cards', id: `group-${g.key}`, dataset: { group: g.key } });
  const empty = h('p', { class: 'muted empty' }, t('board.emptyGroup'));
  const moreButton = h('button', { type: 'button', class: 'button button-quiet', hidden: true, onclick: onMore });
  const root = h('section', { class: 'group', id: `panel-${g.key}`, 'aria-labelledby': `heading-${g.key}` },
    h('h2', { id: `heading-${g.key}`, class: 'visually-hidden' }, t(`board.${g.key}`)), listEl, empty, moreButton);
  return { root, listEl, empty, moreButton, cards: new Map() };
}

/** Keyed: a card keeps its element (and focus) while only its contents change. */
function renderCards(section, s, proposals, justExecuted) {
  section.empty.hidden = s.ids.length > 0;
  section.moreButton.hidden = s.ids.length >= s.total;
  section.moreButton.textContent = t('board.more', { shown: s.ids.length, total: s.total });
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
      card.el.dataset.status = p.status;
      card.el.classList.toggle('just-executed', executedNow && p.status === Status.executed);
      fill(card.el, cardBody(p, { executedNow }));
      card.version = p.version;
      card.executedNow = executedNow;
    }
    const expectedPosition = previous ? previous.nextSibling : section.listEl.firstChild;
    if (expectedPosition !== card.el) section.listEl.insertBefore(card.el, expectedPosition);
    previous = card.el;
  }
}

/** The "new proposal" button and the form it opens above the list. */
function composer(boardId, onPosted) {
  const area = h('div', { class: 'composer', id: 'composer', hidden: true });
  const button = h('button', { type: 'button', class: 'button button-primary', id: 'new-proposal', 'aria-expanded': 'false', 'aria-controls': 'composer' }, t('board.new'));
  const close = () => {
    area.hidden = true;
    clear(area);
    button.setAttribute('aria-expanded', 'false');
    button.focus();
  };
  button.addEventListener('click', () => {
    if (!area.hidden) { close(); return; }
    area.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    fill(area, composeForm({
      heading: t('post.heading'),
      submitLabel: t('post.submit'),
      onCancel: close,
      photos: [],
      onSubmit: async (title, body, photos) => {
        let created = await post(`/api/boards/${boardId}/proposals`, { title, body });
        // Posted: a photo refused now is said, and the proposal stands (its page can add the photo again).
        try {
          await sendPhotos(created.id, photos);
        } catch (error) {
          const text = t('photo.uploadFailed', { reason: problemText(error) });
          toast(text);
          announce(text);
        }
        if (photos?.added.length) created = await get(`/api/proposals/${created.id}`).catch(() => created);
        onPosted(created);
        close();
        toast(t('post.posted', { title: created.title }));
        announce(t('post.posted', { title: created.title }));
      },
    }));
    area.querySelector('input').focus();
  });
  return { button, area };
}
