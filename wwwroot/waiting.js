// "Waiting for me": every open proposal, on any board, that this member may approve and has not, oldest first
// (GET /api/me/waiting). Approve or take back on the card; commits from every board keep it true, applied whole.
import { get } from './api.js';
import { fill, h } from './dom.js';
import { t } from './i18n.js';
import { Action } from './meta.js';
import { proposalCard } from './cards.js';
import { whyNotApprove } from './rules.js';

const byPosted = (a, b) => a.proposal.postedAt.localeCompare(b.proposal.postedAt);

export async function render(context) {
  const { main, live, me } = context;
  const boardName = (id) => context.boards.find((b) => b.id === id)?.name ?? '';
  const heading = h('h1', { id: 'waiting-heading', tabindex: '-1' }, t('waiting.heading'));
  const status = h('p', { id: 'waiting-status', class: 'muted', role: 'status' });
  const listEl = h('ol', { class: 'cards', id: 'waiting-list', 'aria-labelledby': 'waiting-heading' });
  main.append(h('section', { class: 'waiting', 'aria-labelledby': 'waiting-heading' },
    heading, h('p', { class: 'lead' }, t('waiting.intro')), status, listEl));

  const cards = new Map();
  const onCommit = (e) => apply(e.detail);
  const onResumed = () => load();
  live.addEventListener('commit', onCommit);
  live.addEventListener('trailresumed', onResumed);
  await live.watchTrail();
  await load();
  return () => {
    live.removeEventListener('commit', onCommit);
    live.removeEventListener('trailresumed', onResumed);
    live.unwatchTrail();
  };

  async function load() {
    const page = await get('/api/me/waiting');
    const wanted = new Set(page.items.map((p) => p.id));
    // Cards this member just acted on stay until the page is left, so a take-back is one tap away.
    for (const [id, card] of cards) if (!wanted.has(id) && !card.touched) { card.el.remove(); cards.delete(id); }
    for (const p of page.items) upsert(p, false);
    render();
  }

  /** A commit applies whole: the deciding approval and the execution change the card together. */
  function apply({ entries, proposal }) {
    if (!proposal || proposal.status === undefined) return;
    const executedNow = entries.some((entry) => entry.action === Action.proposalExecuted);
    if (upsert(proposal, executedNow)) render();
  }

  function upsert(p, executedNow) {
    const known = cards.get(p.id);
    if (known) return known.update(p, executedNow ? { executedNow } : undefined);
    if (whyNotApprove(p, me)) return false;
    cards.set(p.id, proposalCard(p, { me, boardName: boardName(p.boardId), onSettled }));
    return true;
  }

  /** After a tap: the card remembers it was touched; if it left the list of what waits, focus goes to the next one. */
  function onSettled(card) {
    card.touched = true;
    render();
    if (card.button.hidden || card.mode !== 'approve') {
      const next = [...cards.values()].sort(byPosted).find((c) => c.mode === 'approve');
      if (document.activeElement === document.body || card.button.hidden) (next?.button ?? heading).focus();
    }
  }

  function render() {
    const ordered = [...cards.values()].sort(byPosted);
    ordered.forEach((card, i) => { if (listEl.children[i] !== card.el) listEl.insertBefore(card.el, listEl.children[i] ?? null); });
    const count = ordered.filter((card) => !whyNotApprove(card.proposal, me)).length;
    fill(status, count ? t('waiting.count', { count }) : cards.size ? t('waiting.cleared') : t('waiting.empty'));
    context.waiting?.set(count);
  }
}
