// The rule's vocabulary, read once from the server (GET /api/meta): roles, trail actions, statuses, who may do
// what, policy defaults and limits, text limits. The page never keeps its own copy of these: code names one by
// its key (Status.executed, Action.proposalExecuted, Role.staff), texts are built from the values
// (t(`status.${s}`)). No imports: node runs this file (with rules.js) in the tests.

let meta = null;

/** Statuses, roles and trail actions by name, once useMeta() has run (live bindings). */
export let Status = null;
export let Role = null;
export let Action = null;

/** Loads the meta document once, with `getJson` (api.js's get: this module imports nothing). */
export async function loadMeta(getJson) {
  return meta ?? useMeta(await getJson('/api/meta'));
}

/** Takes the meta document (loadMeta; the tests hand it over directly). */
export function useMeta(doc) {
  meta = doc;
  ({ status: Status, role: Role, action: Action } = doc);
  return meta;
}

/** The vocabulary; useMeta() has run once the member is signed in. */
export function vocabulary() {
  if (!meta) throw new Error('useMeta() first');
  return meta;
}

/** Whether `member` (active) holds `role`. */
export function holds(member, role) {
  return member.isActive !== false && member.roles.includes(role);
}

/** Whether `member` may 'administer', 'review' or 'complete' (the roles are the server's: meta.may). */
export function may(member, what) {
  return vocabulary().may[what].some((role) => holds(member, role));
}

/** Placeholders for texts that state a limit: {title}, {body}, {maxApprovals}… */
export function limitParams() {
  if (!meta) return {};
  const { limits, policy } = meta;
  return { ...limits, minApprovals: policy.minApprovals, maxApprovals: policy.maxApprovals, maxExpiryDays: policy.maxExpiryDays };
}
