// "My proposals": each proposal this member posted, newest first, with where it stands — who approved, what is
// missing, the outcome once recorded — kept live by the commits of every board.
import { get, query } from './api.js';
import { fill, h, time } from './dom.js';
import { t } from './i18n.js';
import { Action, Status } from './meta.js';
import { proposalCard } from './cards.js';

const byPostedDesc = (a, b) => b.proposal.postedAt.localeCompare(a.proposal.postedAt);

/** What this page adds under a card: the state in words, and the outcome note once done. */
function standing(p) {
  if (p.status === Status.executed) return h('p', { class: 'standing' }, t('mine.awaitingOutcome'));
  if (p.status === Status.done) {
    return h('div', { class: 'outcome-note' },
      h('p', { class: 'meta' }, t('mine.outcome', { name: p.completedBy ?? '' }), p.completedAt ? [' · ', time(p.completedAt)] : null),
      h('p', { class: 'outcome-text' }, p.completionNote ?? ''));
  }
  if (p.status === Status.withdrawn) return h('p', { class: 'standing muted' }, t('mine.withdrawn'));
  if (p.status === Status.expired) return h('p', { class: 'standing muted' }, t('mine.expired'));
  return null;
}

export async function render(context) {
  const { main, live, me } = context;
  const boardName = (id) => context.boards.find((b) => b.id === id)?.name ?? '';
  const status = h('p', { id: 'mine-status', class: 'muted', role: 'status' });
  const listEl = h('ol', { class: 'cards', id: 'mine-list', 'aria-labelledby': 'mine-heading' });
  const more = h('button', { type: 'button', class: 'button button-quiet', id: 'mine-more', hidden: true }, t('mine.more'));
  main.append(h('section', { class: 'mine', 'aria-labelledby': 'mine-heading' },
    h('h1', { id: 'mine-heading' }, t('mine.heading')), h('p', { class: 'lead' }, t('mine.intro')), status, listEl, more));

  const cards = new Map();
  let total = 0;
  let page = 0;
  more.addEventListener('click', () => loadPage(page + 1));
  const onCommit = (e) => apply(e.detail);
  const onResumed = () => reload();
  live.addEventListener('commit', onCommit);
  live.addEventListener('trailresumed', onResumed);
  await live.watchTrail();
  await loadPage(1);
  return () => {
    live.removeEventListener('commit', onCommit);
    live.removeEventListener('trailresumed', onResumed);
    live.unwatchTrail();
  };

  async function loadPage(n) {
    const result = await get(`/api/me/proposals${query({ page: n })}`);
    page = n;
    total = result.total;
    for (const p of result.items) upsert(p, false);
    render();
  }

  async function reload() {
    for (let n = 1; n <= page; n++) {
      const result = await get(`/api/me/proposals${query({ page: n })}`);
      total = result.total;
      for (const p of result.items) upsert(p, false);
    }
    render();
  }

  function apply({ entries, proposal }) {
    if (proposal?.author?.id !== me.id) return;
    const isNew = !cards.has(proposal.id);
    if (upsert(proposal, entries.some((entry) => entry.action === Action.proposalExecuted))) {
      if (isNew) total += 1;
      render();
    }
  }

  function upsert(p, executedNow) {
    const known = cards.get(p.id);
    if (known) return known.update(p, executedNow ? { executedNow } : undefined);
    cards.set(p.id, proposalCard(p, { boardName: boardName(p.boardId), extra: standing }));
    return true;
  }

  function render() {
    const ordered = [...cards.values()].sort(byPostedDesc);
    ordered.forEach((card, i) => { if (listEl.children[i] !== card.el) listEl.insertBefore(card.el, listEl.children[i] ?? null); });
    fill(status, total ? t('mine.count', { count: total }) : t('mine.empty'));
    more.hidden = cards.size >= total;
  }
}
