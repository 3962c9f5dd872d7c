// A proposal's page — text, approvals, the actions this member may take (and why not), comments and its
// timeline from the trail — plus the pieces the board's cards share.
import { del, get, post, put, query } from './api.js';
import { vocabulary } from './meta.js';
import { fieldText, problemText, whyNotText } from './problems.js';
import { approvalChoice, whyNotChange, whyNotComplete } from './rules.js';
import { announce, clear, confirmInline, fill, h, time, toast, trustedHtml } from './dom.js';
import { list, t } from './i18n.js';
import { progress, statusBadge } from './cards.js';

/** Title + Markdown body with a server-rendered preview; field errors from problem details appear inline. */
export function composeForm({ heading, submitLabel, title = '', body = '', warning = null, onSubmit, onCancel }) {
  const uid = Math.random().toString(36).slice(2, 8);
  const titleInput = h('input', { id: `title-${uid}`, name: 'title', maxlength: String(vocabulary().limits.title), required: true, value: title, 'aria-describedby': `title-${uid}-error` });
  const bodyInput = h('textarea', { id: `body-${uid}`, name: 'body', rows: '8', 'aria-describedby': `body-${uid}-error` });
  bodyInput.value = body;
  const titleError = h('p', { id: `title-${uid}-error`, class: 'field-error', hidden: true });
  const bodyError = h('p', { id: `body-${uid}-error`, class: 'field-error', hidden: true });
  const formError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const preview = h('div', { class: 'preview markdown', id: `preview-${uid}`, hidden: true, 'aria-live': 'polite' });
  const writeTab = h('button', { type: 'button', class: 'tab', 'aria-pressed': 'true', 'aria-controls': `body-${uid}` }, t('post.write'));
  const previewTab = h('button', { type: 'button', class: 'tab', 'aria-pressed': 'false', 'aria-controls': `preview-${uid}` }, t('post.preview'));
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, submitLabel);

  writeTab.addEventListener('click', () => showPreview(false));
  previewTab.addEventListener('click', () => showPreview(true));

  async function showPreview(on) {
    writeTab.setAttribute('aria-pressed', String(!on));
    previewTab.setAttribute('aria-pressed', String(on));
    bodyInput.hidden = on;
    preview.hidden = !on;
    if (!on) { bodyInput.focus(); return; }
    if (!bodyInput.value.trim()) { fill(preview, h('p', { class: 'muted' }, t('post.previewEmpty'))); return; }
    try {
      const { html } = await post('/api/preview', { body: bodyInput.value });
      trustedHtml(preview, html);
    } catch (error) {
      fill(preview, h('p', { class: 'form-error' }, problemText(error)));
    }
  }

  const form = h('form', { class: 'form compose', novalidate: true },
    h('h2', {}, heading),
    warning ? h('p', { class: 'warning', role: 'note' }, warning) : null,
    h('div', { class: 'field' }, h('label', { for: `title-${uid}` }, t('post.title')), titleInput, titleError),
    h('div', { class: 'field' },
      h('label', { for: `body-${uid}` }, t('post.body')),
      h('div', { class: 'tabs' }, writeTab, previewTab),
      bodyInput, preview, bodyError),
    formError,
    h('div', { class: 'actions' }, submit, onCancel ? h('button', { type: 'button', class: 'button button-quiet', onclick: onCancel }, t('post.cancel')) : null));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    for (const [el, input] of [[titleError, titleInput], [bodyError, bodyInput]]) { el.hidden = true; input.removeAttribute('aria-invalid'); }
    formError.hidden = true;
    if (!titleInput.value.trim()) {
      showFieldError(titleError, titleInput, t('error.required'));
      titleInput.focus();
      return;
    }
    submit.disabled = true;
    try {
      await onSubmit(titleInput.value.trim(), bodyInput.value);
    } catch (error) {
      const fields = { title: [titleError, titleInput], body: [bodyError, bodyInput] };
      let shown = false;
      for (const name of Object.keys(error.errors ?? {})) {
        if (fields[name]) { showFieldError(...fields[name], fieldText(name)); shown = true; }
      }
      if (!shown) { formError.textContent = problemText(error); formError.hidden = false; }
      (shown ? form.querySelector('[aria-invalid]') : submit).focus();
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

function showFieldError(el, input, text) {
  el.textContent = text;
  el.hidden = false;
  input.setAttribute('aria-invalid', 'true');
}


export async function render(context, id) {
  const { main, live, me } = context;
  const headSeqBefore = (await get(`/api/audit${query({ limit: 1 })}`)).headSeq;
  let p = await get(`/api/proposals/${id}`);
  let timeline = (await get(`/api/audit${query({ proposalId: id, after: 0, limit: 500 })}`)).items;

  const header = h('header', { class: 'proposal-head' });
  const bodyEl = h('div', { class: 'markdown proposal-body' });
  const outcome = h('div', { class: 'outcome' });
  const approvals = h('section', { class: 'card', 'aria-labelledby': 'approvals-heading' });
  const approveButton = h('button', { type: 'button', class: 'button button-primary button-large', id: 'approve', hidden: true });
  const whyNot = h('p', { class: 'muted why-not', id: 'why-not' });
  const actionError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const authorActions = h('div', { class: 'actions author-actions' });
  const editArea = h('div', { class: 'edit-area' });
  const completeArea = h('div', { class: 'complete-area' });
  const reverseArea = h('div', { class: 'reverse-area' });
  // A decision is undone the way it was made: by a new proposal naming it. Both ends are shown and linked.
  const reversed = p.reverses ? await get(`/api/proposals/${p.reverses}`).catch(() => null) : null;
  let reversedBy = (await get(`/api/boards/${p.boardId}/proposals${query({ reverses: id })}`)).items;
  const comments = h('ol', { class: 'comments', id: 'comments' });
  const timelineEl = h('ol', { class: 'timeline', id: 'timeline' });

  const commentInput = h('textarea', { id: 'comment-body', rows: '3', maxlength: String(vocabulary().limits.comment) });
  const commentError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const commentForm = h('form', { class: 'form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'comment-body' }, t('proposal.comment')), commentInput),
    commentError,
    h('button', { type: 'submit', class: 'button' }, t('proposal.commentSubmit')));

  main.append(
    h('p', {}, h('a', { class: 'back', href: `#/board/${p.boardId}` }, t('proposal.back'))),
    h('article', { class: 'proposal', 'aria-labelledby': 'proposal-title' },
      header, outcome, bodyEl,
      approvals,
      authorActions, editArea, completeArea, reverseArea,
      h('section', { class: 'card', 'aria-labelledby': 'comments-heading' },
        h('h2', { id: 'comments-heading' }, t('proposal.comments')), comments, commentForm),
      h('section', { class: 'card', 'aria-labelledby': 'timeline-heading' },
        h('h2', { id: 'timeline-heading' }, t('proposal.timeline')), timelineEl)));

  approvals.append(h('h2', { id: 'approvals-heading' }, t('proposal.approvals')), h('div', { class: 'approvals-body' }), approveButton, whyNot, actionError);

  approveButton.addEventListener('click', () => act(async () => {
    p = approveButton.dataset.mode === 'takeBack'
      ? await del(`/api/proposals/${id}/approvals/me`)
      : await post(`/api/proposals/${id}/approvals`);
  }));

  commentForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    commentError.hidden = true;
    if (!commentInput.value.trim()) { commentError.textContent = t('error.required'); commentError.hidden = false; commentInput.focus(); return; }
    try {
      await post(`/api/proposals/${id}/comments`, { body: commentInput.value });
      commentInput.value = '';
      p = await get(`/api/proposals/${id}`);
      renderAll();
    } catch (error) {
      commentError.textContent = problemText(error);
      commentError.hidden = false;
    }
  });

  renderAll();

  const onCommit = (e) => {
    const { entries, proposal } = e.detail;
    if (proposal?.reverses === id && !reversedBy.some((r) => r.id === proposal.id)) {
      reversedBy = [...reversedBy, proposal];
      renderAll();
    } else if (proposal?.reverses === id) {
      reversedBy = reversedBy.map((r) => (r.id === proposal.id ? proposal : r));
      renderAll();
    }
    const mine = entries.filter((entry) => entry.proposalId === id);
    if (mine.length === 0) return;
    for (const entry of mine) if (!timeline.some((x) => x.seq === entry.seq)) timeline.push(entry);
    if (proposal?.id === id && proposal.version >= p.version) p = proposal;
    const executed = mine.find((entry) => entry.action === 'proposal.executed');
    if (executed) {
      const text = t('live.executed', { title: p.title, name: executed.actor.name });
      toast(text, 'executed');
      announce(text);
      header.classList.add('just-executed');
    }
    renderAll();
  };
  live.addEventListener('commit', onCommit);
  live.watch(p.boardId, Math.max(headSeqBefore, ...timeline.map((x) => x.seq)));
  return () => live.removeEventListener('commit', onCommit);

  async function act(change) {
    actionError.hidden = true;
    try {
      await change();
      renderAll();
    } catch (error) {
      actionError.textContent = problemText(error);
      actionError.hidden = false;
      p = await get(`/api/proposals/${id}`).catch(() => p);
      renderAll();
    }
  }

  function renderAll() {
    const executed = [...timeline].reverse().find((x) => x.action === 'proposal.executed');
    fill(header, 
      h('div', { class: 'card-top' }, h('h1', { id: 'proposal-title' }, p.title), statusBadge(p.status)),
      h('p', { class: 'meta' }, t('proposal.postedBy', { name: p.author.name }), ' · ', time(p.postedAt),
        p.editedAt ? [' · ', t('proposal.edited'), ' ', time(p.editedAt)] : null,
        p.status === 'open' && p.expiresAt ? [' · ', t('proposal.expires'), ' ', time(p.expiresAt)] : null));
    header.dataset.status = p.status;

    clear(outcome);
    if (p.executedAt) {
      outcome.append(h('p', { class: 'executed-banner', id: 'executed-banner' },
        t('proposal.executedBy', { name: executed?.actor.name ?? '' }), ' · ', time(p.executedAt)));
    }
    if (p.completionNote) {
      outcome.append(h('div', { class: 'outcome-note' },
        h('p', { class: 'meta' }, t('proposal.outcome', { name: p.completedBy ?? '' }), ' · ', time(p.completedAt)),
        h('p', {}, p.completionNote)));
    }
    if (p.reverses) {
      outcome.append(h('p', { class: 'reversal', id: 'reverses' }, t('proposal.reverses'), ' ',
        h('a', { href: `#/proposal/${p.reverses}` }, reversed ? `“${reversed.title}”` : t('proposal.reversesUnknown'))));
    }
    if (reversedBy.length) {
      outcome.append(h('div', { class: 'reversal', id: 'reversed-by' }, t('proposal.reversedBy'), ' ',
        h('ul', { class: 'inline-list' }, reversedBy.map((r) => h('li', {},
          h('a', { href: `#/proposal/${r.id}` }, `“${r.title}”`), ' ', statusBadge(r.status))))));
    }
    trustedHtml(bodyEl, p.bodyHtml);

    renderApprovals();
    renderAuthorActions();
    renderComplete();
    renderReverse();
    renderComments();
    renderTimeline();
  }

  function renderApprovals() {
    const body = approvals.querySelector('.approvals-body');
    fill(body, progress(p),
      h('ul', { class: 'approval-list' }, p.approvals.map((a) => h('li', { class: a.counts ? '' : 'not-counting' },
        h('strong', {}, a.name), ' ', time(a.at), a.counts ? null : [' — ', t('proposal.notCounting')]))));

    const { mode, why } = approvalChoice(p, me);
    const reason = why ? whyNotText(why, p) : '';
    approveButton.hidden = !mode;
    if (mode) {
      approveButton.dataset.mode = mode;
      approveButton.textContent = t(mode === 'approve' ? 'proposal.approve' : 'proposal.takeBack');
      approveButton.classList.toggle('button-primary', mode === 'approve');
    }
    whyNot.textContent = reason;
    whyNot.hidden = !reason;
  }

  function renderAuthorActions() {
    const mayChange = !whyNotChange(p, me);
    authorActions.hidden = !mayChange;
    if (!mayChange) { clear(editArea); return; }
    if (authorActions.childElementCount) return;
    authorActions.append(
      h('button', { type: 'button', class: 'button', id: 'edit', onclick: openEdit }, t('proposal.edit')),
      h('button', { type: 'button', class: 'button button-danger', id: 'withdraw', onclick: withdraw }, t('proposal.withdraw')));
  }

  function openEdit() {
    if (editArea.firstChild) { editArea.querySelector('input').focus(); return; }
    const count = p.approvals.length;
    editArea.append(composeForm({
      heading: t('proposal.edit'),
      submitLabel: t('proposal.save'),
      title: p.title,
      body: p.body,
      warning: count ? t('proposal.editWarning', { count }) : null,
      onCancel: () => { clear(editArea); authorActions.querySelector('#edit').focus(); },
      onSubmit: async (title, body) => {
        p = await put(`/api/proposals/${id}`, { title, body });
        clear(editArea);
        renderAll();
      },
    }));
    editArea.querySelector('input').focus();
  }

  function withdraw(e) {
    const trigger = e.currentTarget;
    confirmInline(authorActions, trigger, {
      text: t('proposal.withdrawConfirm'),
      confirmLabel: t('proposal.withdrawYes'),
      onConfirm: async () => {
        await act(async () => { p = await post(`/api/proposals/${id}/withdraw`); });
        // Withdrawn: the author's actions are gone. Refused (say, it executed meanwhile): the reason is shown.
        authorActions.querySelector('.confirm')?.remove();
        trigger.hidden = false;
      },
      onError: () => {},
    });
  }

  function renderComplete() {
    const may = !whyNotComplete(p, me);
    if (!may) { clear(completeArea); return; }
    if (completeArea.firstChild) return;
    const note = h('textarea', { id: 'complete-note', rows: '3', maxlength: String(vocabulary().limits.note), required: true });
    const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const form = h('form', { class: 'form card', novalidate: true },
      h('h2', {}, t('proposal.complete')),
      h('div', { class: 'field' }, h('label', { for: 'complete-note' }, t('proposal.completeNote')), note),
      error,
      h('button', { type: 'submit', class: 'button button-primary' }, t('proposal.completeSubmit')));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.hidden = true;
      if (!note.value.trim()) { error.textContent = t('error.required'); error.hidden = false; note.focus(); return; }
      try {
        p = await post(`/api/proposals/${id}/complete`, { note: note.value });
        renderAll();
      } catch (err) {
        error.textContent = problemText(err);
        error.hidden = false;
      }
    });
    completeArea.append(form);
  }

  function renderReverse() {
    const may = p.status === 'executed' || p.status === 'done';
    if (!may) { clear(reverseArea); return; }
    if (reverseArea.firstChild) return;
    const start = h('button', { type: 'button', class: 'button', id: 'propose-reversal' }, t('proposal.reverse'));
    start.addEventListener('click', () => {
      start.hidden = true;
      reverseArea.append(composeForm({
        heading: t('proposal.reverseHeading'),
        submitLabel: t('post.submit'),
        title: t('proposal.reverseTitle', { title: p.title }).slice(0, vocabulary().limits.title),
        body: t('proposal.reverseBody', { title: p.title }),
        warning: t('proposal.reverseNote'),
        onCancel: () => { clear(reverseArea); renderReverse(); reverseArea.querySelector('#propose-reversal').focus(); },
        onSubmit: async (title, body) => {
          const created = await post(`/api/boards/${p.boardId}/proposals`, { title, body, reverses: id });
          toast(t('post.posted', { title: created.title }));
          context.navigate(`#/proposal/${created.id}`);
        },
      }));
      reverseArea.querySelector('input').focus();
    });
    reverseArea.append(h('div', { class: 'actions' }, start));
  }

  function renderComments() {
    clear(comments);
    if (!p.comments.length) comments.append(h('li', { class: 'muted' }, t('proposal.noComments')));
    for (const c of p.comments) {
      comments.append(h('li', { class: 'comment', id: `comment-${c.id}` },
        h('p', { class: 'meta' }, h('strong', {}, c.author.name), ' · ', time(c.at)),
        trustedHtml(h('div', { class: 'markdown' }), c.bodyHtml)));
    }
  }

  function renderTimeline() {
    clear(timelineEl);
    for (const entry of [...timeline].sort((a, b) => a.seq - b.seq)) {
      const dismissed = entry.action === 'proposal.edited' && entry.data?.approvalsDismissed?.length
        ? h('span', { class: 'muted' }, ' — ', t('proposal.dismissed', { names: list(entry.data.approvalsDismissed) })) : null;
      timelineEl.append(h('li', { dataset: { seq: entry.seq, action: entry.action } },
        time(entry.at), ' ', h('span', {}, t(`action.${entry.action}`, { name: entry.actor.name })), dismissed));
    }
  }
}
