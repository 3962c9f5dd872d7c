// Owns the SignalR connection: which board is watched, the last seq applied, and catching up after a
// reconnect from /api/boards/{id}/events?after=. Pages listen for 'entry', 'presence' and 'state';
// 'pushed' carries every entry the hub sends, on any board (every committed entry while watchTrail()
// holds, which the Trail page uses with 'trailresumed').
import { get } from './api.js';

const retryDelays = [0, 1000, 2000, 4000, 8000];
const delayFor = (attempt) => retryDelays[Math.min(attempt, retryDelays.length - 1)];
const catchUpLimit = 500;

export class Live extends EventTarget {
  #connection;
  #boardId = null;
  #lastSeq = 0;
  #catchingUp = false;
  #queue = [];
  #presence = new Map();
  #state = 'connecting';
  #restartAttempt = 0;
  #stopped = false;
  #trail = false;

  constructor() {
    super();
    const signalR = globalThis.signalR;
    this.#connection = new signalR.HubConnectionBuilder()
      .withUrl('/hubs/board')
      // Keep trying for as long as the page is open: a store floor loses Wi-Fi for minutes, not seconds.
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (context) => delayFor(context.previousRetryCount) })
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    this.#connection.on('event', (entry) => {
      // Every entry pushed to this connection, whatever board it is on (the member's own notices come this way).
      this.dispatchEvent(new CustomEvent('pushed', { detail: entry }));
      this.#onEvent(entry);
    });
    this.#connection.on('presence', (presence) => {
      this.#presence.set(presence.boardId, presence.members);
      this.dispatchEvent(new CustomEvent('presence', { detail: presence }));
    });
    this.#connection.onreconnecting(() => this.#setState('reconnecting'));
    this.#connection.onreconnected(() => this.#resume());
    this.#connection.onclose(() => {
      if (this.#stopped) return;
      this.#setState('offline');
      this.#restartLater();
    });
  }

  get state() { return this.#state; }
  get boardId() { return this.#boardId; }
  get lastSeq() { return this.#lastSeq; }
  presence(boardId) { return this.#presence.get(boardId) ?? []; }

  async start() {
    this.#stopped = false;
    try {
      await this.#connection.start();
      this.#restartAttempt = 0;
      await this.#resume();
    } catch {
      this.#setState('offline');
      this.#restartLater();
    }
  }

  async stop() {
    this.#stopped = true;
    this.#boardId = null;
    await this.#connection.stop();
  }

  /** Watch one board from seq <paramref name="afterSeq"/> on: the page has already shown everything up to it. */
  async watch(boardId, afterSeq) {
    const previous = this.#boardId;
    if (previous === boardId && afterSeq <= this.#lastSeq) return;
    this.#boardId = boardId;
    this.#lastSeq = afterSeq;
    this.#queue = [];
    if (this.#connection.state !== 'Connected') return;
    if (previous && previous !== boardId) await this.#connection.invoke('Unwatch', previous).catch(() => {});
    // The connection may close while joining (the server ends a revoked session's connections): onclose takes it from there.
    await this.#join(false).catch(() => {});
  }

  /** Every committed entry, of any board or none, as 'pushed' events until unwatchTrail(); kept across reconnects. */
  async watchTrail() {
    this.#trail = true;
    if (this.#connection.state === 'Connected') await this.#connection.invoke('WatchTrail');
  }

  async unwatchTrail() {
    this.#trail = false;
    if (this.#connection.state === 'Connected') await this.#connection.invoke('UnwatchTrail').catch(() => {});
  }

  /** After a (re)connect the group is gone: join it again, then let the page fetch what it missed. */
  async #rejoinTrail() {
    if (!this.#trail) return;
    await this.#connection.invoke('WatchTrail');
    this.dispatchEvent(new CustomEvent('trailresumed'));
  }

  async #resume() {
    const wasDisconnected = this.#state === 'reconnecting' || this.#state === 'offline';
    try {
      await this.#rejoinTrail();
      await this.#join(wasDisconnected);
      this.#setState('connected');
    } catch {
      // The connection dropped again while joining; onreconnecting/onclose take it from here.
    }
  }

  /** Watch the board, then fetch what happened since lastSeq; live events arriving meanwhile wait in a queue. */
  async #join(afterOutage) {
    const boardId = this.#boardId;
    if (!boardId) return;
    this.#catchingUp = true;
    let caughtUp = 0;
    try {
      await this.#connection.invoke('Watch', boardId);
      for (;;) {
        const entries = await get(`/api/boards/${boardId}/events?after=${this.#lastSeq}&limit=${catchUpLimit}`);
        if (boardId !== this.#boardId) return;
        for (const entry of entries) if (this.#accept(entry, true)) caughtUp++;
        if (entries.length < catchUpLimit) break;
      }
    } finally {
      this.#catchingUp = false;
      const queued = this.#queue;
      this.#queue = [];
      for (const entry of queued) this.#accept(entry, false);
    }
    if (afterOutage) this.dispatchEvent(new CustomEvent('caughtup', { detail: { count: caughtUp } }));
  }

  #onEvent(entry) {
    if (entry.boardId !== this.#boardId) return;
    if (this.#catchingUp) this.#queue.push(entry);
    else this.#accept(entry, false);
  }

  /** Applies each entry once, in seq order: seq is global, so gaps are normal; repeats are dropped. */
  #accept(entry, replayed) {
    if (entry.boardId !== this.#boardId || entry.seq <= this.#lastSeq) return false;
    this.#lastSeq = entry.seq;
    this.dispatchEvent(new CustomEvent('entry', { detail: { entry, replayed } }));
    return true;
  }

  #restartLater() {
    const delay = delayFor(++this.#restartAttempt);
    setTimeout(() => { if (!this.#stopped && this.#connection.state === 'Disconnected') this.start(); }, delay);
  }

  #setState(state) {
    if (this.#state === state) return;
    this.#state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: state }));
  }
}
