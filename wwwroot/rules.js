// The client's one copy of "why can't I": the same checks, in the same order, as Board.Domain's Proposal
// (WhyNotApprove, TakeBackApproval, Edit/Withdraw, Complete), answered with the server's problem codes.
// It only decides what the page offers; the server decides again. Board.Tests/Proposals/RuleCases.json
// feeds the same cases to this module and to the domain (RulesAgreementTests).
// Its only import is meta.js (no browser needed): node runs both in the tests, with the server's meta document.
import { holds, may, Status } from './meta.js';

/** Whether the proposal still takes approvals, edits and withdrawal at `now` (open and before its deadline). */
export function isOpenAt(p, now = new Date()) {
  return p.status === Status.open && (!p.expiresAt || now < new Date(p.expiresAt));
}

/** null when `member` may approve `p` now; otherwise the code the server would refuse with. */
export function whyNotApprove(p, member, now = new Date()) {
  if (!isOpenAt(p, now)) return 'not-open';
  if (p.author.id === member.id) return 'own-proposal';
  if (!holds(member, p.approverRole)) return 'not-approver';
  if (p.approvals.some((a) => a.memberId === member.id)) return 'already-approved';
  return null;
}

/** null when `member` may take back their approval of `p` now. */
export function whyNotTakeBack(p, member, now = new Date()) {
  if (!isOpenAt(p, now)) return 'not-open';
  if (!p.approvals.some((a) => a.memberId === member.id)) return 'not-approved';
  return null;
}

/** null when `member` may edit or withdraw `p` now. */
export function whyNotChange(p, member, now = new Date()) {
  if (!isOpenAt(p, now)) return 'not-open';
  if (p.author.id !== member.id) return 'not-author';
  return null;
}

/** null when `member` may record the outcome of `p`. */
export function whyNotComplete(p, member) {
  if (!may(member, 'complete')) return 'forbidden';
  if (p.status !== Status.executed) return 'not-executed';
  return null;
}

/** What the approve button of a card or page offers: 'approve', 'takeBack', or null with the reason. */
export function approvalChoice(p, member, now = new Date()) {
  const why = whyNotApprove(p, member, now);
  if (!why) return { mode: 'approve', why: null };
  if (why === 'already-approved' && !whyNotTakeBack(p, member, now)) return { mode: 'takeBack', why: null };
  return { mode: null, why };
}
