// The parts of a proposal's page. Each returns { root, render(p) } and redraws itself from the proposal as it
// stands; the page (proposal.js) owns the state and hands each part the latest version.
import { clear, confirmInline, fill, h, time, trustedHtml } from './dom.js';
import { list, t } from './i18n.js';
import { progress, statusBadge } from './cards.js';
import { composeForm, textForm } from './forms.js';
import { Action, Status, vocabulary } from './meta.js';
import { whyNotText } from './problems.js';
import { approvalChoice, whyNotChange, whyNotComplete } from './rules.js';

/** Title, state, who and when; the execution banner, the outcome, and the reversal links. */
export function headerPart() {
  const header = h('header', { class: 'proposal-head' });
  const outcome = h('div', { class: 'outcome' });
  const body = h('div', { class: 'markdown proposal-body' });
  return {
    nodes: [header, outcome, body],
    header,
    render(p, { executedBy, reversed, reversedBy }) {
      header.dataset.status = p.status;
      fill(header,
        h('div', { class: 'card-top' }, h('h1', { id: 'proposal-title' }, p.title), statusBadge(p.status)),
        h('p', { class: 'meta' }, t('proposal.postedBy', { name: p.author.name }), ' · ', time(p.postedAt),
          p.editedAt ? [' · ', t('proposal.editedMark'), ' ', time(p.editedAt)] : null,
          p.status === Status.open && p.expiresAt ? [' · ', t('proposal.expires'), ' ', time(p.expiresAt)] : null));
      fill(outcome,
        p.executedAt ? h('p', { class: 'executed-banner', id: 'executed-banner' }, t('proposal.executedBy', { name: executedBy ?? '' }), ' · ', time(p.executedAt)) : null,
        p.completionNote ? h('div', { class: 'outcome-note' },
          h('p', { class: 'meta' }, t('proposal.outcome', { name: p.completedBy ?? '' }), ' · ', time(p.completedAt)),
          h('p', {}, p.completionNote)) : null,
        p.reverses ? h('p', { class: 'reversal', id: 'reverses' }, t('proposal.reverses'), ' ',
          h('a', { href: `#/proposal/${p.reverses}` }, reversed ? `“${reversed.title}”` : t('proposal.reversesUnknown'))) : null,
        reversedBy.length ? h('div', { class: 'reversal', id: 'reversed-by' }, t('proposal.reversedBy'), ' ',
          h('ul', { class: 'inline-list' }, reversedBy.map((r) => h('li', {}, h('a', { href: `#/proposal/${r.id}` }, `“${r.title}”`), ' ', statusBadge(r.status))))) : null);
      trustedHtml(body, p.bodyHtml);
    },
  };
}

/** Progress, who approved (and whose approval no longer counts), and the one button rules.js allows, or why not. */
export function approvalsPart(me, onApprove) {
  const body = h('div', { class: 'approvals-body' });
  const button = h('button', { type: 'button', class: 'button button-primary button-large', id: 'approve', hidden: true });
  const whyNot = h('p', { class: 'muted why-not', id: 'why-not' });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  button.addEventListener('click', () => onApprove(button.dataset.mode));
  return {
    root: h('section', { class: 'card', 'aria-labelledby': 'approvals-heading' },
      h('h2', { id: 'approvals-heading' }, t('proposal.approvals')), body, button, whyNot, error),
    error,
    render(p) {
      fill(body, progress(p),
        h('ul', { class: 'approval-list' }, p.approvals.map((a) => h('li', { class: a.counts ? '' : 'not-counting' },
          h('strong', {}, a.name), ' ', time(a.at), a.counts ? null : [' — ', t('proposal.notCounting')]))));
      const { mode, why } = approvalChoice(p, me);
      button.hidden = !mode;
      if (mode) {
        button.dataset.mode = mode;
        button.textContent = t(mode === 'approve' ? 'proposal.approve' : 'proposal.takeBack');
        button.classList.toggle('button-primary', mode === 'approve');
      }
      whyNot.textContent = why ? whyNotText(why, p) : '';
      whyNot.hidden = !why;
    },
  };
}

/** The author's edit and withdraw while open. */
export function authorPart(me, { onEdit, onWithdraw }) {
  const actions = h('div', { class: 'actions author-actions' });
  const editArea = h('div', { class: 'edit-area' });
  let current = null;
  function openEdit() {
    if (editArea.firstChild) { editArea.querySelector('input').focus(); return; }
    const count = current.approvals.length;
    editArea.append(composeForm({
      heading: t('proposal.edit'), submitLabel: t('proposal.save'), title: current.title, body: current.body,
      warning: count ? [t('proposal.editWarning', { count }), ' ', t('photo.editWarning', { count })].join('') : null,
      photos: current.attachments ?? [],
      onCancel: () => { clear(editArea); actions.querySelector('#edit').focus(); },
      onSubmit: async (title, body, photos) => { await onEdit(title, body, photos); clear(editArea); },
    }));
    editArea.querySelector('input').focus();
  }
  function withdraw(e) {
    const trigger = e.currentTarget;
    confirmInline(actions, trigger, {
      text: t('proposal.withdrawConfirm'),
      confirmLabel: t('proposal.withdrawYes'),
      onConfirm: async () => {
        await onWithdraw();
        // Withdrawn: the author's actions are gone. Refused (say, it executed meanwhile): the reason is shown.
        actions.querySelector('.confirm')?.remove();
        trigger.hidden = false;
      },
      onError: () => {},
    });
  }
  return {
    nodes: [actions, editArea],
    render(p) {
      current = p;
      const may = !whyNotChange(p, me);
      actions.hidden = !may;
      if (!may) { clear(editArea); return; }
      if (actions.childElementCount) return;
      actions.append(
        h('button', { type: 'button', class: 'button', id: 'edit', onclick: openEdit }, t('proposal.edit')),
        h('button', { type: 'button', class: 'button button-danger', id: 'withdraw', onclick: withdraw }, t('proposal.withdraw')));
    },
  };
}

/** Recording the outcome of an executed proposal (operations). */
export function completePart(me, onComplete) {
  const area = h('div', { class: 'complete-area' });
  return {
    root: area,
    render(p) {
      if (whyNotComplete(p, me)) { clear(area); return; }
      if (area.firstChild) return;
      area.append(textForm({
        id: 'complete-note', name: 'note', label: t('proposal.completeNote'), submitLabel: t('proposal.completeSubmit'),
        maxLength: vocabulary().limits.note, heading: t('proposal.complete'), className: 'form card', primary: true, onSubmit: onComplete,
      }));
    },
  };
}

/** Proposing the reversal of an executed or done proposal: a new proposal that names it. */
export function reversePart(onPropose) {
  const area = h('div', { class: 'reverse-area' });
  const part = {
    root: area,
    render(p) {
      if (p.status !== Status.executed && p.status !== Status.done) { clear(area); return; }
      if (area.firstChild) return;
      const start = h('button', { type: 'button', class: 'button', id: 'propose-reversal' }, t('proposal.reverse'));
      start.addEventListener('click', () => {
        start.hidden = true;
        area.append(composeForm({
          heading: t('proposal.reverseHeading'), submitLabel: t('post.submit'),
          title: t('proposal.reverseTitle', { title: p.title }).slice(0, vocabulary().limits.title),
          body: t('proposal.reverseBody', { title: p.title }), warning: t('proposal.reverseNote'),
          onCancel: () => { clear(area); part.render(p); area.querySelector('#propose-reversal').focus(); },
          onSubmit: onPropose,
        }));
        area.querySelector('input').focus();
      });
      area.append(h('div', { class: 'actions' }, start));
    },
  };
  return part;
}

/** Comments, oldest first, and the form to add one. */
export function commentsPart(onComment) {
  const listEl = h('ol', { class: 'comments', id: 'comments' });
  const form = textForm({
    id: 'comment-body', name: 'body', label: t('proposal.comment'), submitLabel: t('proposal.commentSubmit'),
    maxLength: vocabulary().limits.comment, onSubmit: onComment,
  });
  return {
    root: h('section', { class: 'card', 'aria-labelledby': 'comments-heading' }, h('h2', { id: 'comments-heading' }, t('proposal.comments')), listEl, form),
    render(p) {
      fill(listEl, p.comments.length ? p.comments.map((c) => h('li', { class: 'comment', id: `comment-${c.id}` },
        h('p', { class: 'meta' }, h('strong', {}, c.author.name), ' · ', time(c.at)),
        trustedHtml(h('div', { class: 'markdown' }), c.bodyHtml))) : h('li', { class: 'muted' }, t('proposal.noComments')));
    },
  };
}

/** The proposal's entries from the trail, in order. */
export function timelinePart() {
  const listEl = h('ol', { class: 'timeline', id: 'timeline' });
  return {
    root: h('section', { class: 'card', 'aria-labelledby': 'timeline-heading' }, h('h2', { id: 'timeline-heading' }, t('proposal.timeline')), listEl),
    render(timeline) {
      fill(listEl, [...timeline].sort((a, b) => a.seq - b.seq).map((entry) => {
        // An edit, or a photo added or removed, dismisses the approvals given so far: the timeline names them.
        const dismissedBy = { [Action.proposalEdited]: 'proposal.dismissed', [Action.attachmentAdded]: 'photo.dismissed', [Action.attachmentRemoved]: 'photo.dismissed' }[entry.action];
        const dismissed = dismissedBy && entry.data?.approvalsDismissed?.length
          ? h('span', { class: 'muted' }, ' — ', t(dismissedBy, { names: list(entry.data.approvalsDismissed) })) : null;
        return h('li', { dataset: { seq: entry.seq, action: entry.action } },
          time(entry.at), ' ', h('span', {}, t(`action.${entry.action}`, { name: entry.actor.name })), dismissed);
      }));
    },
  };
}
