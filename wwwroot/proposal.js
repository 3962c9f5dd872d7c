// A proposal's page — text, approvals, the actions this member may take (and why not), comments and its
// timeline from the trail — built from the parts in proposalParts.js, kept live by the board's commits.
import { del, get, post, put, query } from './api.js';
import { announce, h, toast } from './dom.js';
import { t } from './i18n.js';
import { Action, Status } from './meta.js';
import { problemText } from './problems.js';
import { photosPart, sendPhotos } from './photos.js';
import { approvalsPart, authorPart, commentsPart, completePart, headerPart, reversePart, timelinePart } from './proposalParts.js';

export { composeForm } from './forms.js';

export async function render(context, id) {
  const { main, live, me } = context;
  const headSeqBefore = (await get(`/api/audit${query({ limit: 1 })}`)).headSeq;
  const p = await get(`/api/proposals/${id}`);
  const view = {
    p,
    timeline: (await get(`/api/audit${query({ proposalId: id, after: 0, limit: 500 })}`)).items,
    reversedBy: (await get(`/api/boards/${p.boardId}/proposals${query({ reverses: id })}`)).items,
    reversed: null,
  };
  // A decision is undone the way it was made: by a new proposal naming it. Both ends are shown and linked.
  if (view.p.reverses) view.reversed = await get(`/api/proposals/${view.p.reverses}`).catch(() => null);
  const parts = buildParts(context, id, view, renderAll);

  main.append(
    h('p', {}, h('a', { class: 'back', href: `#/board/${view.p.boardId}` }, t('proposal.back'))),
    h('article', { class: 'proposal', 'aria-labelledby': 'proposal-title' },
      ...parts.header.nodes, parts.photos.root, parts.approvals.root, ...parts.author.nodes, parts.complete.root, parts.reverse.root,
      parts.comments.root, parts.timeline.root));
  renderAll();

  const onCommit = (e) => applyCommit(e.detail);
  live.addEventListener('commit', onCommit);
  live.watch(view.p.boardId, Math.max(headSeqBefore, ...view.timeline.map((x) => x.seq)));
  return () => live.removeEventListener('commit', onCommit);

  function renderAll() {
    const executed = [...view.timeline].reverse().find((x) => x.action === Action.proposalExecuted);
    parts.header.render(view.p, { executedBy: executed?.actor.name, reversed: view.reversed, reversedBy: view.reversedBy });
    for (const part of [parts.photos, parts.approvals, parts.author, parts.complete, parts.reverse, parts.comments]) part.render(view.p);
    parts.timeline.render(view.timeline);
  }

  /** A commit applies whole: its entries join the timeline and the proposal takes the state it left. */
  function applyCommit({ entries, proposal }) {
    if (proposal?.reverses === id) {
      view.reversedBy = [...view.reversedBy.filter((r) => r.id !== proposal.id), proposal];
      renderAll();
    }
    const mine = entries.filter((entry) => entry.proposalId === id);
    if (mine.length === 0) return;
    for (const entry of mine) if (!view.timeline.some((x) => x.seq === entry.seq)) view.timeline.push(entry);
    if (proposal?.id === id && proposal.version >= view.p.version) view.p = proposal;
    const executed = mine.find((entry) => entry.action === Action.proposalExecuted);
    if (executed) {
      const text = t('live.executed', { title: view.p.title, name: executed.actor.name });
      toast(text, Status.executed);
      announce(text);
      parts.header.header.classList.add('just-executed');
    }
    renderAll();
  }
}

/** The page's parts, each given what it may change: the server's answer becomes the proposal shown. */
function buildParts(context, id, view, renderAll) {
  const { me } = context;
  const settle = (next) => { view.p = next; renderAll(); };
  const approvals = approvalsPart(me, (mode) => act(() => (mode === 'takeBack' ? del(`/api/proposals/${id}/approvals/me`) : post(`/api/proposals/${id}/approvals`))));
  async function act(change) {
    approvals.error.hidden = true;
    try {
      settle(await change());
    } catch (error) {
      approvals.error.textContent = problemText(error);
      approvals.error.hidden = false;
      settle(await get(`/api/proposals/${id}`).catch(() => view.p));
    }
  }
  return {
    header: headerPart(),
    photos: photosPart(),
    approvals,
    author: authorPart(me, {
      onEdit: async (title, body, photos) => {
        settle(await put(`/api/proposals/${id}`, { title, body }));
        if (!photos?.added.length && !photos?.removed.length) return;
        // Each photo is its own change; whatever was refused, the page shows what was kept.
        try {
          await sendPhotos(id, photos);
        } finally {
          settle(await get(`/api/proposals/${id}`).catch(() => view.p));
        }
      },
      onWithdraw: () => act(() => post(`/api/proposals/${id}/withdraw`)),
    }),
    complete: completePart(me, async (note) => settle(await post(`/api/proposals/${id}/complete`, { note }))),
    reverse: reversePart(async (title, body) => {
      const created = await post(`/api/boards/${view.p.boardId}/proposals`, { title, body, reverses: id });
      toast(t('post.posted', { title: created.title }));
      context.navigate(`#/proposal/${created.id}`);
    }),
    comments: commentsPart(async (body) => {
      await post(`/api/proposals/${id}/comments`, { body });
      settle(await get(`/api/proposals/${id}`));
    }),
    timeline: timelinePart(),
  };
}
