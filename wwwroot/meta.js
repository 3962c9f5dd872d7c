// The rule's vocabulary, read once from the server (GET /api/meta): roles, trail actions, statuses, policy
// defaults and limits, text limits. The page never keeps its own copy of these.
import { get } from './api.js';

let meta = null;

export async function loadMeta() {
  meta ??= await get('/api/meta');
  return meta;
}

/** The vocabulary; loadMeta() has run once the member is signed in. */
export function vocabulary() {
  if (!meta) throw new Error('loadMeta() first');
  return meta;
}

/** Placeholders for texts that state a limit: {title}, {body}, {maxApprovals}… */
export function limitParams() {
  if (!meta) return {};
  const { limits, policy } = meta;
  return {
    title: limits.title, body: limits.body, note: limits.note, comment: limits.comment,
    memberName: limits.memberName, boardName: limits.boardName,
    minApprovals: policy.minApprovals, maxApprovals: policy.maxApprovals, maxExpiryDays: policy.maxExpiryDays,
  };
}
