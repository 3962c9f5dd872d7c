// A proposal as a card — on the board, in "Waiting for me", in "My proposals" — and the approve / take back
// button a card may carry: one tap, no page change, the card redrawn from the server's answer.
import { del, post } from './api.js';
import { announce, fill, h, time } from './dom.js';
import { list, t } from './i18n.js';
import { Status } from './meta.js';
import { problemText } from './problems.js';
import { cardPhotos } from './photos.js';
import { approvalChoice } from './rules.js';

export const statusBadge = (status) => h('span', { class: `badge badge-${status}`, dataset: { status } }, t(`status.${status}`));

export function progress(p) {
  const counting = p.approvalCount;
  return h('div', { class: 'progress' },
    h('progress', { max: String(p.approvalsRequired), value: String(Math.min(counting, p.approvalsRequired)), 'aria-hidden': 'true' }),
    h('span', { class: 'progress-text', dataset: { count: counting, required: p.approvalsRequired } },
      t('card.progress', { count: counting, required: p.approvalsRequired, plural: p.approvalsRequired })));
}

export function approvalsLine(p) {
  const names = p.approvals.filter((a) => a.counts).map((a) => a.name);
  return h('p', { class: 'approvers' }, names.length ? t('card.approvedBy', { names: list(names) }) : t('card.noApprovals'));
}

/** "2 more approvals needed", while open. */
export function missingLine(p) {
  const missing = Math.max(0, p.approvalsRequired - p.approvalCount);
  return p.status === Status.open && missing > 0 ? h('p', { class: 'missing' }, t('card.missing', { count: missing })) : null;
}

const commentCount = (p) => (p.comments ? p.comments.length : p.commentCount ?? 0);

/** The card's text: title, state, board, author and time, progress and who approved; `extra(p)` adds a page's own lines. */
export function cardBody(p, { boardName = null, executedNow = false, extra = null } = {}) {
  const active = p.status === Status.open || p.status === Status.executed;
  // "Executed just now" holds while it is executed; once done, the outcome says more.
  const flagged = executedNow && p.status === Status.executed;
  return [
    h('div', { class: 'card-top' },
      h('h3', { class: 'card-title' }, h('a', { href: `#/proposal/${p.id}` }, p.title)),
      statusBadge(p.status)),
    flagged ? h('p', { class: 'executed-flag' }, t('card.justExecuted')) : null,
    h('p', { class: 'meta' },
      boardName ? [t('card.onBoard', { board: boardName }), ' · '] : null,
      t('card.by', { name: p.author.name }), ' · ', time(p.postedAt),
      p.status === Status.executed && p.executedAt ? [' · ', t('card.executed'), ' ', time(p.executedAt)] : null,
      commentCount(p) ? [' · ', t('card.comments', { count: commentCount(p) })] : null),
    cardPhotos(p),
    active ? progress(p) : null,
    active || p.approvals.some((a) => a.counts) ? approvalsLine(p) : null,
    missingLine(p),
    extra ? extra(p) : null,
  ];
}

/**
 * A keyed card that keeps its element and its button (so focus stays) while its contents change. With `me`,
 * it offers what rules.js allows: Approve, or Take back an approval while open. `onSettled(card, p)` runs after
 * the member's own tap was answered (the page may move focus on).
 */
export function proposalCard(p, { me = null, boardName = null, extra = null, onSettled = null } = {}) {
  const body = h('div', { class: 'card-body' });
  const button = h('button', { type: 'button', class: 'button card-approve' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const el = h('li', { class: 'card proposal-card', dataset: { id: p.id } }, body,
    me ? h('div', { class: 'card-actions' }, button, error) : null);
  const card = { el, button, proposal: p, executedNow: false, update, get mode() { return button.dataset.mode || null; } };
  let busy = false;

  button.addEventListener('click', async () => {
    if (busy) return;
    busy = true;
    el.setAttribute('aria-busy', 'true');
    error.hidden = true;
    try {
      const next = button.dataset.mode === 'takeBack'
        ? await del(`/api/proposals/${card.proposal.id}/approvals/me`)
        : await post(`/api/proposals/${card.proposal.id}/approvals`);
      update(next, { executedNow: next.status === Status.executed });
      if (next.status === Status.executed) announce(t('live.executedShort', { title: next.title }));
    } catch (err) {
      error.textContent = problemText(err);
      error.hidden = false;
    } finally {
      busy = false;
      el.removeAttribute('aria-busy');
      onSettled?.(card, card.proposal);
    }
  });

  function update(next, { executedNow = card.executedNow } = {}) {
    if (next.version < card.proposal.version) return false;
    card.proposal = next;
    card.executedNow = executedNow;
    el.dataset.status = next.status;
    el.classList.toggle('just-executed', executedNow && next.status === Status.executed);
    fill(body, cardBody(next, { boardName, executedNow, extra }));
    if (me) renderButton(next);
    return true;
  }

  function renderButton(next) {
    const { mode } = approvalChoice(next, me);
    button.hidden = !mode;
    button.dataset.mode = mode ?? '';
    if (!mode) return;
    button.textContent = t(mode === 'approve' ? 'card.approve' : 'card.takeBack');
    button.setAttribute('aria-label', t(mode === 'approve' ? 'card.approveLabel' : 'card.takeBackLabel', { title: next.title }));
    button.classList.toggle('button-primary', mode === 'approve');
  }

  update(p);
  return card;
}
