// "Your proposal executed", for its author, on whatever page they are: the list comes from
// /api/me/notifications (again after every reconnect, for what happened while away) and live from the
// hub, which sends the author's executions to all of their connections. Each seq is shown once.
import { get, query } from './api.js';
import { announce, clear, h, time, toast } from './dom.js';
import { t } from './i18n.js';
import { Action, Status } from './meta.js';

const shown = 20;
/** A device that has never opened the list counts the last three days as unread, not the whole history. */
const firstVisitWindow = 3 * 24 * 3600 * 1000;

export class Notices {
  #me;
  #live;
  #boardName;
  #items = new Map();
  #readSeq;
  #newestSeq = 0;
  #loaded = false;
  #root = document.getElementById('notices');
  #toggle = document.getElementById('notices-toggle');
  #panel = document.getElementById('notices-panel');
  #list = document.getElementById('notices-list');
  #count = document.getElementById('notices-count');
  #abort = new AbortController();

  /** @param boardName (boardId) => name, for notices pushed live (the hub entry carries the board's id only). */
  constructor(me, live, boardName) {
    this.#me = me;
    this.#live = live;
    this.#boardName = boardName;
    const stored = localStorage.getItem(this.#storageKey);
    this.#readSeq = stored === null ? null : Number(stored);
    const signal = this.#abort.signal;
    live.addEventListener('commit', (e) => { if (!e.detail.replayed) for (const entry of e.detail.entries) this.#pushed(entry, e.detail.proposal); }, { signal });
    live.addEventListener('state', (e) => { if (e.detail === 'connected') this.#fetch(); }, { signal });
    this.#toggle.addEventListener('click', () => (this.#panel.hidden ? this.open() : this.close(true)), { signal });
    this.#panel.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.close(true); }, { signal });
    document.addEventListener('click', (e) => { if (!this.#panel.hidden && !this.#root.contains(e.target)) this.close(false); }, { signal });
    window.addEventListener('hashchange', () => this.close(false), { signal });
    this.#root.hidden = false;
    this.#render();
  }

  get #storageKey() { return `board.notices.read.${this.#me.id}`; }

  get unread() {
    return [...this.#items.values()].filter((n) => n.seq > (this.#readSeq ?? 0)).length;
  }

  stop() {
    this.#abort.abort();
    this.close(false);
    this.#root.hidden = true;
  }

  open() {
    // Fixed under the bell, kept inside the screen however the top bar wraps on a phone.
    this.#panel.style.top = `${Math.round(this.#toggle.getBoundingClientRect().bottom + 4)}px`;
    this.#panel.hidden = false;
    this.#toggle.setAttribute('aria-expanded', 'true');
    this.#markRead();
    (this.#list.querySelector('a') ?? this.#panel.querySelector('h2')).focus();
  }

  close(returnFocus) {
    if (this.#panel.hidden) return;
    this.#panel.hidden = true;
    this.#toggle.setAttribute('aria-expanded', 'false');
    if (returnFocus) this.#toggle.focus();
  }

  /** Everything since the newest notice held (all recent ones the first time); what is new and not just loaded is told. */
  async #fetch() {
    let fresh;
    try {
      fresh = await get(`/api/me/notifications${query({ after: this.#newestSeq || undefined, limit: shown })}`);
    } catch {
      return; // The next reconnect tries again; the badge simply waits.
    }
    const firstLoad = !this.#loaded;
    this.#loaded = true;
    if (this.#readSeq === null) {
      const cutoff = Date.now() - firstVisitWindow;
      this.#readSeq = Math.max(0, ...fresh.filter((n) => Date.parse(n.at) < cutoff).map((n) => n.seq));
      localStorage.setItem(this.#storageKey, String(this.#readSeq));
    }
    const added = fresh.filter((n) => this.#add(n));
    this.#render();
    if (!firstLoad && added.length) this.#tell(added);
  }

  #pushed(entry, proposal) {
    if (entry.action !== Action.proposalExecuted || proposal?.author?.id !== this.#me.id) return;
    const notice = {
      seq: entry.seq, at: entry.at, action: entry.action, boardId: entry.boardId,
      boardName: this.#boardName(entry.boardId) ?? '', proposalId: entry.proposalId, title: proposal.title,
    };
    if (!this.#add(notice)) return;
    this.#render();
    this.#tell([notice]);
  }

  #add(notice) {
    if (this.#items.has(notice.seq)) return false;
    this.#items.set(notice.seq, notice);
    this.#newestSeq = Math.max(this.#newestSeq, notice.seq);
    return true;
  }

  /** A toast unless the page already shows that board live (its own toast says so), and always the screen reader. */
  #tell(notices) {
    const text = notices.length === 1
      ? t('notices.one', { title: notices[0].title })
      : t('notices.many', { count: notices.length });
    const watching = notices.every((n) => n.boardId === this.#live.boardId);
    if (!watching) toast(text, Status.executed, notices.length === 1 ? `#/proposal/${notices[0].proposalId}` : null);
    else announce(text);
    if (!this.#panel.hidden) this.#markRead();
  }

  #markRead() {
    this.#readSeq = Math.max(this.#readSeq ?? 0, this.#newestSeq);
    localStorage.setItem(this.#storageKey, String(this.#readSeq));
    this.#renderCount();
  }

  /** Draws the list and the badge again, e.g. in a newly chosen language. */
  refresh() { this.#render(); }

  #render() {
    const newestFirst = [...this.#items.values()].sort((a, b) => b.seq - a.seq).slice(0, shown);
    clear(this.#list);
    if (newestFirst.length === 0) this.#list.append(h('li', { class: 'empty' }, t('notices.none')));
    for (const n of newestFirst) {
      const unread = n.seq > (this.#readSeq ?? 0);
      this.#list.append(h('li', { class: unread ? 'notice unread' : 'notice', dataset: { seq: n.seq } },
        h('a', { href: `#/proposal/${n.proposalId}` }, t('notices.item', { title: n.title })),
        h('span', { class: 'meta' }, n.boardName, n.boardName ? ' · ' : '', time(n.at)),
        unread ? h('span', { class: 'visually-hidden' }, ` (${t('notices.unreadMark')})`) : null));
    }
    this.#renderCount();
  }

  #renderCount() {
    const unread = this.unread;
    this.#count.hidden = unread === 0;
    this.#count.textContent = String(unread);
    this.#toggle.setAttribute('aria-label', unread ? t('notices.labelUnread', { count: unread }) : t('notices.label'));
  }
}
