// Boots the page: language, session, the live connection, and a hash router (#/board/{id}, #/proposal/{id}).
import { events as apiEvents, forgetSession, get, post } from './api.js';
import { announce, clear, fill, h, keepTimesFresh } from './dom.js';
import { chooseLanguage, language, languages, loadLanguage, t } from './i18n.js';
import { Live } from './live.js';
import { holds, loadMeta, may } from './meta.js';
import { Notices } from './notices.js';
import { PushSwitch, registerServiceWorker } from './push.js';
import { WaitingBadge } from './waitingBadge.js';

// Pages by route: '#/{name}/{param}'. A page module exports render(context, param) and may return a cleanup function.
const pages = {
  board: () => import('./board.js'),
  proposal: () => import('./proposal.js'),
  admin: () => import('./admin.js'),
  trail: () => import('./trail.js'),
  waiting: () => import('./waiting.js'),
  mine: () => import('./mine.js'),
  insights: () => import('./insights.js'),
  account: () => import('./account.js'),
};

const main = document.getElementById('main');
const context = {
  main, me: null, boards: [], live: null, notices: null, waiting: null, push: null,
  navigate: (hash) => { location.hash = hash; },
  /** A page that changed the boards (admin) hands over the new list; the switcher follows. */
  setBoards: (boards) => { context.boards = boards; renderSwitcher(); },
};
let cleanup = null;
let renderId = 0;

registerServiceWorker();
await loadLanguage(chooseLanguage());
setUpLanguageSwitch();
apiEvents.addEventListener('unauthenticated', () => signedOut());
document.getElementById('sign-out').addEventListener('click', signOut);
document.getElementById('board-switcher').addEventListener('change', (e) => context.navigate(`#/board/${e.target.value}`));
window.addEventListener('hashchange', () => route());
keepTimesFresh();

try {
  context.me = (await get('/api/auth/session')).member;
} catch {
  context.me = null;
}
if (context.me) await signedIn(context.me);
else await showSignIn();

export async function signedIn(member) {
  context.me = member;
  [context.boards] = await Promise.all([get('/api/boards'), loadMeta(get)]);
  context.live = new Live();
  context.live.addEventListener('state', (e) => showConnection(e.detail));
  context.live.addEventListener('caughtup', (e) => announce(t('conn.restored', { count: e.detail.count })));
  context.notices = new Notices(member, context.live, (boardId) => context.boards.find((b) => b.id === boardId)?.name);
  if (approvesSomewhere()) context.waiting = new WaitingBadge(context.live);
  context.push = new PushSwitch();
  context.live.start();
  renderChrome();
  await route();
}

async function signOut() {
  // Before the session ends: the server forgets this device, so the next member on it gets nothing of this one's.
  await context.push?.turnOff({ tellServer: true });
  try { await post('/api/auth/logout'); } catch { /* signed out either way */ }
  await signedOut();
}

// Several requests refused at once (a session revoked while a page loads) each report it: sign out once.
let signingOut = null;

function signedOut() {
  signingOut ??= leave().finally(() => { signingOut = null; });
  return signingOut;
}

async function leave() {
  context.notices?.stop();
  context.notices = null;
  context.waiting?.stop();
  context.waiting = null;
  // Signed out by the server (a revoked session): this device stops showing the member's notifications.
  await context.push?.turnOff({ tellServer: false });
  context.push?.stop();
  context.push = null;
  if (context.live) await context.live.stop();
  context.live = null;
  context.me = null;
  forgetSession();
  showConnection('connected');
  await showSignIn();
}

async function showSignIn() {
  // A page still loading (its route began before the session ended) must not clear the sign-in form once it lands.
  ++renderId;
  runCleanup();
  renderChrome();
  const { render } = await import('./signin.js');
  clear(main);
  cleanup = await render({ ...context, onSignedIn: signedIn });
}

async function route() {
  if (!context.me) return;
  const [, name = '', param = ''] = location.hash.match(/^#\/([\w-]*)\/?([^/]*)/) ?? [];
  for (const link of document.querySelectorAll('[data-route]')) {
    if (link.dataset.route === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (!pages[name]) {
    const board = context.boards.find((b) => b.id === localStorage.getItem('board.lastBoard')) ?? context.boards[0];
    if (board) { location.replace(`#/board/${board.id}`); return; }
    fill(main, h('p', { class: 'empty' }, t('board.none')));
    return;
  }
  const id = ++renderId;
  runCleanup();
  const page = await pages[name]();
  if (id !== renderId) return;
  clear(main);
  try {
    cleanup = (await page.render(context, decodeURIComponent(param))) ?? null;
  } catch (error) {
    // A 401 has already put up the sign-in page ('unauthenticated'): an error message must not paint over it.
    if (id !== renderId || error.status === 401) return;
    fill(main, h('p', { class: 'error', role: 'alert' }, t(error.status === 404 ? 'error.notFound' : error.status === 0 ? 'error.network' : 'error.generic')));
  }
  updateSwitcher();
  main.focus({ preventScroll: true });
}

function runCleanup() {
  cleanup?.();
  cleanup = null;
}

function renderChrome() {
  const signed = Boolean(context.me);
  document.getElementById('nav').hidden = !signed;
  document.getElementById('account').hidden = !signed;
  if (!signed) return;
  document.getElementById('me-name').textContent = context.me.displayName;
  document.getElementById('me-roles').textContent = context.me.roles.map((r) => t(`role.${r}`)).join(' · ');
  for (const link of document.querySelectorAll('[data-route]')) {
    link.hidden = !pages[link.dataset.route] || (link.dataset.may && !may(context.me, link.dataset.may))
      || ('approvers' in link.dataset && !approvesSomewhere());
  }
  renderSwitcher();
}

/** Whether this member holds the approver role of some board: then "Waiting for me" is theirs. */
function approvesSomewhere() {
  return context.boards.some((b) => holds(context.me, b.policy.approverRole));
}

function renderSwitcher() {
  const switcher = clear(document.getElementById('board-switcher'));
  for (const board of context.boards) switcher.append(h('option', { value: board.id }, board.name));
  updateSwitcher();
}

function updateSwitcher() {
  const switcher = document.getElementById('board-switcher');
  const boardId = context.live?.boardId;
  if (boardId) {
    switcher.value = boardId;
    localStorage.setItem('board.lastBoard', boardId);
  }
}

function showConnection(state) {
  const banner = document.getElementById('connection');
  banner.dataset.state = state;
  banner.hidden = state === 'connected' || state === 'connecting';
  banner.textContent = state === 'offline' ? t('conn.offline') : state === 'reconnecting' ? t('conn.reconnecting') : '';
}

function setUpLanguageSwitch() {
  const select = document.getElementById('language');
  for (const lang of languages) {
    const name = new Intl.DisplayNames([lang], { type: 'language' }).of(lang);
    select.append(h('option', { value: lang }, name));
  }
  select.value = language();
  select.addEventListener('change', async () => {
    await loadLanguage(select.value, true);
    if (context.me) { renderChrome(); context.notices?.refresh(); context.waiting?.retranslate(); context.push?.refresh(); await route(); } else await showSignIn();
  });
}
