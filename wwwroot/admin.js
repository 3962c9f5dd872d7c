// Administration: boards and their policies, members and their roles, webhooks and their delivery logs.
// Routes: #/admin/boards, #/admin/members, #/admin/webhooks, #/admin/webhook-{id} (one webhook's delivery log).
import { del, get, post, put, query } from './api.js';
import { announce, confirmInline, fill, h, time, toast } from './dom.js';
import { formKit, kitForm } from './forms.js';
import { list, t } from './i18n.js';
import { may, Role, vocabulary } from './meta.js';
import { problemText } from './problems.js';

// Roles and actions are the server's (GET /api/meta): a webhook may subscribe to any action; the server validates.
const roles = () => vocabulary().roles;
const actions = () => vocabulary().actions;
const limits = () => vocabulary().limits;

const tabs = ['boards', 'members', 'webhooks'];
const webhookBoardKey = 'admin.webhookBoard';
const pollMs = 3000;

export async function render(context, param) {
  const { main, me } = context;
  const denied = () => fill(main, h('h1', {}, t('admin.title')), h('p', { id: 'admin-denied', class: 'warning', role: 'alert' }, t('admin.denied')));
  if (!may(me, 'administer')) {
    denied();
    return null;
  }
  const webhookId = param.startsWith('webhook-') ? param.slice('webhook-'.length) : null;
  const tab = webhookId ? 'webhooks' : tabs.includes(param) ? param : 'boards';
  const body = h('div', { class: 'admin-body' });
  main.append(
    h('h1', { id: 'admin-heading' }, t('admin.title')),
    h('nav', { class: 'admin-tabs', 'aria-label': t('admin.sections') },
      h('ul', {}, tabs.map((name) => h('li', {},
        h('a', { href: `#/admin/${name}`, id: `admin-tab-${name}`, 'aria-current': name === tab ? 'page' : null }, t(`admin.tab.${name}`)))))),
    body);
  const show = webhookId ? () => deliveryLog(context, body, webhookId)
    : tab === 'members' ? () => members(context, body)
      : tab === 'webhooks' ? () => webhooks(context, body)
        : () => boards(context, body);
  try {
    return await show();
  } catch (error) {
    // The admin role was taken away since this page learned who is signed in: the server says so.
    if (error.status !== 403) throw error;
    denied();
    return null;
  }
}

// ---- Boards ---------------------------------------------------------------------------------------------

async function boards(context, body) {
  let all = await get('/api/boards');
  const listEl = h('ol', { class: 'cards admin-list', id: 'admin-boards' });
  const fields = policyFields('new-board', vocabulary().policy.default);
  const name = input('new-board-name', { name: 'name', maxlength: String(limits().boardName), required: true, autocomplete: 'off' });
  const kit = formKit([{ name: 'name', label: t('admin.boards.name'), control: name }, ...fields]);
  const form = adminForm({
    id: 'create-board', kit, submitLabel: t('admin.boards.create'),
    run: async () => {
      const created = await post('/api/boards', { name: name.value.trim(), policy: policyOf(kit) });
      all = [...all, created];
      context.setBoards(all);
      renderList();
      form.reset();
      done(t('admin.boards.created', { name: created.name }));
    },
  });

  body.append(
    h('section', { 'aria-labelledby': 'boards-heading' },
      h('h2', { id: 'boards-heading' }, t('admin.boards.heading')),
      h('p', { class: 'muted' }, t('admin.boards.intro')),
      listEl),
    h('section', { class: 'card', 'aria-labelledby': 'create-board-heading' },
      h('h2', { id: 'create-board-heading' }, t('admin.boards.createHeading')), form));
  renderList();
  return null;

  function renderList() {
    fill(listEl, all.map(boardItem));
  }

  function replace(updated, focusSelector) {
    all = all.map((b) => (b.id === updated.id ? updated : b));
    const old = listEl.querySelector(`[data-id="${updated.id}"]`);
    const fresh = boardItem(updated);
    old.replaceWith(fresh);
    fresh.querySelector(focusSelector)?.focus();
    context.setBoards(all);
  }

  function boardItem(board) {
    const p = board.policy;
    const uid = board.id.slice(-8);
    const renameInput = input(`rename-${uid}`, { name: 'name', maxlength: String(limits().boardName), required: true, value: board.name, autocomplete: 'off' });
    const renameKit = formKit([{ name: 'name', label: t('admin.boards.newName'), control: renameInput }]);
    const renameForm = adminForm({
      id: `rename-form-${uid}`, kit: renameKit, submitLabel: t('admin.boards.renameSubmit'), className: 'rename-form',
      run: async () => {
        const updated = await put(`/api/boards/${board.id}`, { name: renameInput.value.trim() });
        await replace(updated, '.rename summary');
        done(t('admin.boards.renamed', { name: updated.name }));
      },
    });
    const policyKit = formKit(policyFields(`policy-${uid}`, p));
    const policyForm = adminForm({
      id: `policy-form-${uid}`, kit: policyKit, submitLabel: t('admin.boards.policySubmit'), className: 'policy-form',
      note: t('admin.boards.policyNote', { open: board.counts.open }),
      run: async () => {
        const updated = await put(`/api/boards/${board.id}/policy`, policyOf(policyKit));
        await replace(updated, '.policy summary');
        done(t('admin.boards.policyChanged', { name: updated.name }));
      },
    });
    return h('li', { class: 'card admin-board', dataset: { id: board.id } },
      h('h3', { class: 'board-name' }, h('a', { href: `#/board/${board.id}` }, board.name)),
      h('p', { class: 'board-policy' }, policyLine(p)),
      h('p', { class: 'muted' }, t('admin.boards.counts', board.counts)),
      h('details', { class: 'rename' }, h('summary', {}, t('admin.boards.rename')), renameForm),
      h('details', { class: 'policy' }, h('summary', {}, t('admin.boards.changePolicy')), policyForm));
  }
}

function policyLine(p) {
  return [
    t('admin.boards.policyLine', { required: p.approvalsRequired, role: t(`role.${p.approverRole}`) }),
    ' · ',
    p.expiresAfterDays === 0 ? t('admin.boards.neverExpires') : t('admin.boards.expiresAfter', { days: p.expiresAfterDays, plural: p.expiresAfterDays }),
  ];
}

function policyFields(prefix, policy) {
  const approvals = input(`${prefix}-approvals`, { name: 'approvalsRequired', type: 'number', min: String(vocabulary().policy.minApprovals), max: String(vocabulary().policy.maxApprovals), step: '1', inputmode: 'numeric', required: true, value: String(policy.approvalsRequired) });
  const role = h('select', { id: `${prefix}-role`, name: 'approverRole' },
    roles().map((r) => h('option', { value: r, selected: r === policy.approverRole }, t(`role.${r}`))));
  const expiry = input(`${prefix}-expiry`, { name: 'expiresAfterDays', type: 'number', min: '0', max: String(vocabulary().policy.maxExpiryDays), step: '1', inputmode: 'numeric', required: true, value: String(policy.expiresAfterDays) });
  return [
    { name: 'approvalsRequired', label: t('admin.boards.approvals'), control: approvals, hint: t('admin.boards.approvalsHint') },
    { name: 'approverRole', label: t('admin.boards.approverRole'), control: role },
    { name: 'expiresAfterDays', label: t('admin.boards.expiry'), control: expiry, hint: t('admin.boards.expiryHint') },
  ];
}

function policyOf(kit) {
  const number = (name) => (kit.controls.get(name).value.trim() === '' ? null : Number(kit.controls.get(name).value));
  return {
    approvalsRequired: number('approvalsRequired'),
    approverRole: kit.controls.get('approverRole').value,
    expiresAfterDays: number('expiresAfterDays'),
  };
}

// ---- Members --------------------------------------------------------------------------------------------

async function members(context, body) {
  let all = await get('/api/members');
  const me = context.me;

  const displayName = input('new-member-name', { name: 'displayName', maxlength: String(limits().memberName), required: true, autocomplete: 'off' });
  const email = input('new-member-email', { name: 'email', type: 'email', required: true, autocomplete: 'off', spellcheck: 'false' });
  const password = input('new-member-password', { name: 'password', type: 'password', required: true, autocomplete: 'new-password', minlength: String(limits().passwordMin) });
  const show = h('button', { type: 'button', class: 'button button-quiet', 'aria-pressed': 'false', 'aria-controls': 'new-member-password' }, t('admin.members.showPassword'));
  show.addEventListener('click', () => {
    const showing = password.type === 'text';
    password.type = showing ? 'password' : 'text';
    show.setAttribute('aria-pressed', String(!showing));
  });
  const roleChecks = checkGroup('new-member-roles', roles(), (r) => t(`role.${r}`), [Role.staff]);
  const kit = formKit([
    { name: 'displayName', label: t('admin.members.name'), control: displayName },
    { name: 'email', label: t('admin.members.email'), control: email },
    { name: 'password', label: t('admin.members.password'), control: password, hint: t('admin.members.passwordHint', limits()), extra: show },
    { name: 'roles', legend: t('admin.members.roles'), group: roleChecks },
  ]);
  const form = adminForm({
    id: 'create-member', kit, submitLabel: t('admin.members.create'),
    run: async () => {
      const created = await post('/api/members', {
        email: email.value.trim(), displayName: displayName.value.trim(), password: password.value, roles: roleChecks.values(),
      });
      all = [...all, created].sort((a, b) => a.displayName.localeCompare(b.displayName));
      renderRows();
      form.reset();
      password.type = 'password';
      show.setAttribute('aria-pressed', 'false');
      done(t('admin.members.created', { name: created.displayName }));
    },
  });

  const rows = h('tbody', {});
  const count = h('span', { class: 'count' });
  body.append(
    h('section', { class: 'card', 'aria-labelledby': 'create-member-heading' },
      h('h2', { id: 'create-member-heading' }, t('admin.members.createHeading')), form),
    h('section', { 'aria-labelledby': 'members-heading' },
      h('h2', { id: 'members-heading' }, t('admin.members.heading'), ' ', count),
      h('p', { class: 'muted' }, t('admin.members.intro')),
      h('div', { class: 'table-scroll' },
        h('table', { class: 'admin-table members-table', id: 'admin-members' },
          h('caption', { class: 'visually-hidden' }, t('admin.members.heading')),
          h('thead', {}, h('tr', {},
            ['name', 'email', 'roles', 'status', 'actions'].map((c) => h('th', { scope: 'col' }, t(`admin.members.col.${c}`))))),
          rows))));
  renderRows();
  return null;

  function renderRows() {
    count.textContent = `(${all.length})`;
    fill(rows, all.map((m) => memberRow(m, me, replace)));
  }

  function replace(updated, focusSelector) {
    all = all.map((m) => (m.id === updated.id ? updated : m));
    const fresh = memberRow(updated, me, replace);
    rows.querySelector(`tr[data-id="${updated.id}"]`).replaceWith(fresh);
    fresh.querySelector(focusSelector)?.focus();
  }

}

/** One member's row: roles to change, and (for anyone but oneself) deactivate or reactivate. */
function memberRow(m, me, replace) {
  const uid = m.id.slice(-12);
  const self = m.id === me.id;
  const checks = checkGroup(`roles-${uid}`, roles(), (r) => t(`role.${r}`), m.roles);
  const rolesKit = formKit([{ name: 'roles', legend: t('admin.members.rolesOf', { name: m.displayName }), group: checks, hiddenLegend: true }]);
  const rolesForm = adminForm({
    id: `roles-form-${uid}`, kit: rolesKit, submitLabel: t('admin.members.saveRoles'), className: 'roles-form', quiet: true,
    run: async () => {
      const updated = await put(`/api/members/${m.id}/roles`, { roles: checks.values() });
      replace(updated, '.roles-form button[type=submit]');
      done(t('admin.members.rolesSaved', { name: updated.displayName, roles: list(updated.roles.map((r) => t(`role.${r}`))) }));
    },
  });
  const actionCell = h('td', { class: 'member-actions', dataset: { label: t('admin.members.col.actions') } });
  const toggle = h('button', {
    type: 'button', class: m.isActive ? 'button button-danger' : 'button', dataset: { action: m.isActive ? 'deactivate' : 'reactivate' },
    'aria-label': t(m.isActive ? 'admin.members.deactivateWho' : 'admin.members.reactivateWho', { name: m.displayName }),
  }, t(m.isActive ? 'admin.members.deactivate' : 'admin.members.reactivate'));
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const setActive = async () => {
    const updated = await post(`/api/members/${m.id}/${m.isActive ? 'deactivate' : 'reactivate'}`);
    replace(updated, '.member-actions button');
    done(t(updated.isActive ? 'admin.members.reactivated' : 'admin.members.deactivated', { name: updated.displayName }));
  };
  toggle.addEventListener('click', async () => {
    error.hidden = true;
    if (m.isActive) {
      confirmInline(actionCell, toggle, {
        text: t('admin.members.deactivateConfirm', { name: m.displayName }),
        confirmLabel: t('admin.members.deactivateYes'),
        onConfirm: setActive,
        onError: showError,
      });
      return;
    }
    toggle.disabled = true;
    try { await setActive(); } catch (err) { toggle.disabled = false; showError(err); }
  });
  function showError(err) {
    error.textContent = problemText(err);
    error.hidden = false;
  }
  if (!self) actionCell.append(toggle, error);
  else actionCell.append(h('span', { class: 'muted' }, t('admin.members.thisIsYou')));
  return h('tr', { dataset: { id: m.id, active: String(m.isActive) } },
    h('th', { scope: 'row', class: 'member-name', dataset: { label: t('admin.members.col.name') } }, m.displayName),
    h('td', { class: 'member-email', dataset: { label: t('admin.members.col.email') } }, m.email),
    h('td', { class: 'member-roles', dataset: { label: t('admin.members.col.roles') } }, rolesForm),
    h('td', { class: 'member-status', dataset: { label: t('admin.members.col.status') } },
      h('span', { class: `badge ${m.isActive ? 'badge-active' : 'badge-inactive'}` }, t(m.isActive ? 'admin.members.active' : 'admin.members.inactive'))),
    actionCell);
}

// ---- Webhooks -------------------------------------------------------------------------------------------

async function webhooks(context, body) {
  const boards = await get('/api/boards');
  if (boards.length === 0) {
    body.append(h('p', { class: 'empty' }, t('board.none')));
    return null;
  }
  const remembered = sessionStorage.getItem(webhookBoardKey) ?? localStorage.getItem('board.lastBoard');
  let boardId = boards.some((b) => b.id === remembered) ? remembered : boards[0].id;

  const chooser = h('select', { id: 'webhook-board', name: 'board' }, boards.map((b) => h('option', { value: b.id }, b.name)));
  chooser.value = boardId;
  const listEl = h('ol', { class: 'cards admin-list', id: 'admin-webhooks', tabindex: '-1' });
  const listHeading = h('h2', { id: 'webhooks-heading' });
  const secretPanel = h('div', { class: 'secret-once', id: 'webhook-secret-panel', role: 'status', hidden: true });

  const url = input('webhook-url', { name: 'url', type: 'url', inputmode: 'url', autocomplete: 'off', spellcheck: 'false', placeholder: 'https://', maxlength: String(limits().webhookUrl) });
  const secret = input('webhook-secret', { name: 'secret', autocomplete: 'off', spellcheck: 'false', minlength: String(limits().secretMin), maxlength: String(limits().secretMax) });
  const generate = h('button', { type: 'button', class: 'button', id: 'generate-secret' }, t('admin.webhooks.generate'));
  generate.addEventListener('click', () => {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    secret.value = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    announce(t('admin.webhooks.generated'));
    secret.focus();
    secret.select();
  });
  const actionChecks = checkGroup('webhook-actions', actions(), (a) => t(`trail.action.${a}`), [], 'checks checks-actions');
  const kit = formKit([
    { name: 'url', label: t('admin.webhooks.url'), control: url, hint: t('admin.webhooks.urlHint') },
    { name: 'secret', label: t('admin.webhooks.secret'), control: secret, hint: t('admin.webhooks.secretHint'), extra: generate },
    { name: 'actions', legend: t('admin.webhooks.actions'), group: actionChecks, hint: t('admin.webhooks.actionsHint') },
  ]);
  const form = adminForm({
    id: 'create-webhook', kit, submitLabel: t('admin.webhooks.create'),
    run: async () => {
      const created = await post(`/api/boards/${boardId}/webhooks`, { url: url.value.trim(), secret: secret.value || null, actions: actionChecks.values() });
      form.reset();
      showSecret(created);
      await load();
      done(t('admin.webhooks.created', { url: created.url }));
    },
  });

  chooser.addEventListener('change', async () => {
    boardId = chooser.value;
    sessionStorage.setItem(webhookBoardKey, boardId);
    secretPanel.hidden = true;
    await load();
  });

  body.append(
    h('div', { class: 'field board-choice' }, h('label', { for: 'webhook-board' }, t('admin.webhooks.board')), chooser),
    h('section', { 'aria-labelledby': 'webhooks-heading' }, listHeading, h('p', { class: 'muted' }, t('admin.webhooks.intro')), listEl),
    secretPanel,
    h('section', { class: 'card', 'aria-labelledby': 'create-webhook-heading' },
      h('h2', { id: 'create-webhook-heading' }, t('admin.webhooks.createHeading')), form));
  await load();
  return null;

  async function load() {
    const hooks = await get(`/api/boards/${boardId}/webhooks`);
    listHeading.textContent = t('admin.webhooks.heading', { board: boards.find((b) => b.id === boardId).name });
    fill(listEl, hooks.length ? hooks.map((hook) => webhookItem(hook, { reload: load, listEl })) : h('li', { class: 'muted empty' }, t('admin.webhooks.none')));
  }

  function showSecret(created) {
    const code = h('code', { id: 'created-secret', class: 'secret' }, created.secret);
    const copy = h('button', { type: 'button', class: 'button' }, t('admin.webhooks.copy'));
    copy.addEventListener('click', async () => {
      try { await navigator.clipboard.writeText(created.secret); announce(t('admin.webhooks.copied')); } catch { getSelection().selectAllChildren(code); }
    });
    fill(secretPanel, h('p', {}, h('strong', {}, t('admin.webhooks.secretOnce', { url: created.url }))), h('p', {}, code), copy);
    secretPanel.hidden = false;
  }

}

/** One webhook: its address, actions and counts, its log, and delete (confirmed in place). */
function webhookItem(hook, { reload, listEl }) {
  const c = hook.deliveries;
  const li = h('li', { class: 'card admin-webhook', dataset: { id: hook.id } },
    h('p', { class: 'webhook-url' }, h('code', {}, hook.url)),
    h('p', { class: 'meta' }, hook.actions.length ? list(hook.actions.map((a) => t(`trail.action.${a}`))) : t('admin.webhooks.allActions')),
    h('p', { class: 'meta' }, t('admin.webhooks.added'), ' ', time(hook.createdAt), ' · ', t('admin.webhooks.counts', c)));
  const remove = h('button', { type: 'button', class: 'button button-danger', dataset: { action: 'delete' }, 'aria-label': t('admin.webhooks.deleteWho', { url: hook.url }) }, t('admin.webhooks.delete'));
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const actionsEl = h('div', { class: 'actions' },
    h('a', { class: 'button', href: `#/admin/webhook-${hook.id}`, dataset: { action: 'log' } }, t('admin.webhooks.log')), remove);
  remove.addEventListener('click', () => confirmInline(actionsEl, remove, {
    text: t('admin.webhooks.deleteConfirm', { url: hook.url }),
    confirmLabel: t('admin.webhooks.deleteYes'),
    onConfirm: async () => {
      await del(`/api/webhooks/${hook.id}`);
      await reload();
      listEl.focus();
      done(t('admin.webhooks.deleted', { url: hook.url }));
    },
    onError: (err) => { error.textContent = problemText(err); error.hidden = false; },
  }));
  li.append(actionsEl, error);
  return li;
}

async function deliveryLog(context, body, id) {
  const hook = await get(`/api/webhooks/${id}`);
  const boards = await get('/api/boards');
  const board = boards.find((b) => b.id === hook.boardId);
  sessionStorage.setItem(webhookBoardKey, hook.boardId);
  let items = [];
  let next = null;
  let timer = null;
  let stopped = false;

  const listEl = h('ol', { class: 'cards deliveries', id: 'admin-deliveries', tabindex: '-1' });
  const status = h('p', { class: 'muted', role: 'status', id: 'deliveries-status' });
  const refresh = h('button', { type: 'button', class: 'button', id: 'refresh-deliveries' }, t('admin.deliveries.refresh'));
  const older = h('button', { type: 'button', class: 'button button-quiet', id: 'older-deliveries', hidden: true }, t('admin.deliveries.older'));
  refresh.addEventListener('click', () => load(true));
  older.addEventListener('click', async () => {
    const page = await get(`/api/webhooks/${id}/deliveries${query({ before: next })}`);
    items = [...items, ...page.items];
    next = page.next;
    renderItems();
  });

  body.append(h('section', { 'aria-labelledby': 'deliveries-heading' },
    h('a', { class: 'back', href: '#/admin/webhooks' }, t('admin.deliveries.back')),
    h('h2', { id: 'deliveries-heading' }, t('admin.deliveries.heading')),
    h('p', { class: 'webhook-url' }, h('code', {}, hook.url)),
    h('p', { class: 'meta' }, t('admin.deliveries.onBoard', { board: board?.name ?? hook.boardId }), ' · ',
      hook.actions.length ? list(hook.actions.map((a) => t(`trail.action.${a}`))) : t('admin.webhooks.allActions')),
    hook.deletedAt ? h('p', { class: 'warning', id: 'webhook-deleted' }, t('admin.deliveries.deletedNote'), ' ', time(hook.deletedAt)) : null,
    h('div', { class: 'actions' }, refresh),
    status,
    listEl,
    older));
  await load(false);
  return () => { stopped = true; clearTimeout(timer); };

  async function load(announceIt) {
    clearTimeout(timer);
    refresh.disabled = true;
    try {
      const page = await get(`/api/webhooks/${id}/deliveries`);
      if (stopped) return;
      items = page.items;
      next = page.next;
      renderItems();
      const text = t('admin.deliveries.count', { count: items.length });
      status.textContent = text;
      if (announceIt) announce(text);
    } catch (err) {
      status.textContent = problemText(err);
    } finally {
      refresh.disabled = false;
    }
    // While something is still being retried, follow it without a click.
    if (!stopped && items.some((d) => d.status === 'pending')) timer = setTimeout(() => load(false), pollMs);
  }

  function renderItems() {
    const focused = document.activeElement?.closest?.('.delivery')?.dataset.id;
    fill(listEl, items.length ? items.map((d) => deliveryItem(d, hook, () => load(false))) : h('li', { class: 'muted empty' }, t('admin.deliveries.none')));
    older.hidden = !next;
    if (focused) listEl.querySelector(`.delivery[data-id="${focused}"] .redeliver`)?.focus();
  }

}

/** One delivery: its state, its attempts, and redeliver while the webhook exists. */
function deliveryItem(d, hook, reload) {
  const redeliver = h('button', { type: 'button', class: 'button redeliver', 'aria-label': t('admin.deliveries.redeliverWho', { action: t(`trail.action.${d.action}`), seq: d.seq }) }, t('admin.deliveries.redeliver'));
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  redeliver.addEventListener('click', async () => {
    redeliver.disabled = true;
    error.hidden = true;
    try {
      await post(`/api/deliveries/${d.id}/redeliver`);
      done(t('admin.deliveries.redelivered', { action: t(`trail.action.${d.action}`) }));
      await reload();
    } catch (err) {
      redeliver.disabled = false;
      error.textContent = problemText(err);
      error.hidden = false;
    }
  });
  return h('li', { class: 'card delivery', dataset: { id: d.id, status: d.status } },
    h('div', { class: 'card-top' },
      h('h3', { class: 'card-title', dataset: { action: d.action } }, t(`trail.action.${d.action}`), ' ', h('span', { class: 'muted' }, `#${d.seq}`)),
      h('span', { class: `badge badge-delivery-${d.status}`, dataset: { status: d.status } }, t(`admin.deliveries.status.${d.status}`))),
    h('p', { class: 'meta' }, t('admin.deliveries.queued'), ' ', time(d.createdAt), ' · ', t('admin.deliveries.attempts', { count: d.attempts }),
      d.nextAttemptAt ? [' · ', t('admin.deliveries.next'), ' ', time(d.nextAttemptAt)] : null),
    d.attemptLog.length ? attemptsTable(d) : null,
    hook.deletedAt ? null : h('div', { class: 'actions' }, redeliver),
    error);
}

function attemptsTable(d) {
  return h('div', { class: 'table-scroll' },
    h('table', { class: 'admin-table attempts' },
      h('caption', { class: 'visually-hidden' }, t('admin.deliveries.attemptsOf', { action: t(`trail.action.${d.action}`), seq: d.seq })),
      h('thead', {}, h('tr', {}, ['number', 'at', 'code', 'error', 'duration'].map((c) => h('th', { scope: 'col' }, t(`admin.deliveries.col.${c}`))))),
      h('tbody', {}, d.attemptLog.map((a) => h('tr', { dataset: { number: a.number, ok: String(a.statusCode >= 200 && a.statusCode < 300) } },
        h('td', { dataset: { label: t('admin.deliveries.col.number') } }, String(a.number)),
        h('td', { dataset: { label: t('admin.deliveries.col.at') } }, time(a.at)),
        h('td', { class: 'attempt-code', dataset: { label: t('admin.deliveries.col.code') } }, a.statusCode === null ? t('admin.deliveries.noResponse') : String(a.statusCode)),
        h('td', { class: 'attempt-error', dataset: { label: t('admin.deliveries.col.error') } }, a.error ?? '—'),
        h('td', { dataset: { label: t('admin.deliveries.col.duration') } }, t('admin.deliveries.ms', { ms: a.durationMs })))))));
}

// ---- Shared pieces --------------------------------------------------------------------------------------

function input(id, props) {
  return h('input', { id, ...props });
}

/** A checkbox per value, in a group; values() reads the ticked ones. */
function checkGroup(id, values, labelOf, checked, className = 'checks') {
  const boxes = values.map((v, i) => h('input', { type: 'checkbox', id: `${id}-${i}`, name: id, value: v, checked: checked.includes(v) }));
  const root = h('div', { class: className, id },
    boxes.map((box, i) => h('label', { class: 'check', for: box.id }, box, h('span', {}, labelOf(values[i])))));
  return { root, first: boxes[0], values: () => boxes.filter((b) => b.checked).map((b) => b.value) };
}

/** Admin forms are the kit's forms (forms.js), in the admin style; `quiet` for a plain submit button. */
function adminForm({ className = '', quiet = false, ...form }) {
  return kitForm({ ...form, className: `form admin-form ${className}`.trim(), primary: !quiet });
}

function done(text) {
  toast(text);
  announce(text);
}
