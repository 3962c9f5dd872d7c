// Drives the rule end to end through a client generated from the live /openapi/v1.json (openapi-typescript types,
// openapi-fetch calls): sign in, post, approve three times, read the trail. Compiled by tsc against the generated
// types, so a path, a field or a status the document gets wrong fails the build or the run.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

declare const process: { env: Record<string, string | undefined>; exitCode: number };

type Proposal = components["schemas"]["ProposalDto"];
const baseUrl = process.env.BOARD_URL ?? "";
const password = process.env.BOARD_PASSWORD ?? "";

function fail(message: string): never {
  throw new Error(message);
}

async function signIn(who: string) {
  const anonymous = createClient<paths>({ baseUrl });
  const { data, error, response } = await anonymous.POST("/api/auth/login", { body: { email: `${who}@demo.board`, password } });
  if (!data) fail(`signIn ${who}: ${response.status} ${JSON.stringify(error)}`);
  return createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${data.accessToken}` } });
}

const staff = await signIn("staff1");
const boards = await staff.GET("/api/boards");
const board = boards.data?.[0] ?? fail(`listBoards: ${boards.response.status}`);

const posted = await staff.POST("/api/boards/{boardId}/proposals", {
  params: { path: { boardId: board.id } },
  body: { title: `Generated client ${Date.now()}`, body: "Posted by a client generated from /openapi/v1.json." },
});
if (posted.response.status !== 201 || !posted.data) fail(`postProposal: ${posted.response.status} ${JSON.stringify(posted.error)}`);
const proposal: Proposal = posted.data;
if (proposal.status !== "open") fail(`a new proposal is ${proposal.status}`);

// The author's own approval is a documented refusal: 403 with code own-proposal.
const own = await staff.POST("/api/proposals/{id}/approvals", { params: { path: { id: proposal.id } } });
if (own.response.status !== 403 || own.error?.code !== "own-proposal") fail(`own approval: ${own.response.status} ${JSON.stringify(own.error)}`);

let last: Proposal | undefined;
for (const who of ["ops1", "ops2", "ops3"]) {
  const approver = await signIn(who);
  const approved = await approver.POST("/api/proposals/{id}/approvals", { params: { path: { id: proposal.id } } });
  if (!approved.data) fail(`approveProposal by ${who}: ${approved.response.status} ${JSON.stringify(approved.error)}`);
  const limit = approved.response.headers.get("RateLimit-Policy");
  if (!limit?.startsWith('"writes"')) fail(`approveProposal sent no RateLimit-Policy: ${limit}`);
  last = approved.data;
}
if (last?.status !== "executed" || last.approvalCount !== last.approvalsRequired) fail(`after three approvals: ${JSON.stringify(last)}`);

const late = await (await signIn("ops4")).POST("/api/proposals/{id}/approvals", { params: { path: { id: proposal.id } } });
if (late.response.status !== 409 || late.error?.code !== "not-open") fail(`a fourth approval: ${late.response.status} ${JSON.stringify(late.error)}`);

const trail = await staff.GET("/api/audit", { params: { query: { proposalId: proposal.id, limit: 50 } } });
if (!trail.data) fail(`listTrail: ${trail.response.status}`);
const actions = trail.data.items.map((e) => e.action).reverse();
const expected = ["proposal.posted", "approval.added", "approval.added", "approval.added", "proposal.executed"];
if (JSON.stringify(actions) !== JSON.stringify(expected)) fail(`the trail says ${JSON.stringify(actions)}`);

console.log(JSON.stringify({ proposal: proposal.id, status: last.status, actions }));
