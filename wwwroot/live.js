// Owns the SignalR connection: which board is watched, the last seq applied, and catching up from
// /api/boards/{id}/events?after= after a reconnect, or when a commit's `prev` or the 15-s `head` shows that a message
// was lost (a backplane outage, an instance killed between commit and publish). Pages listen for 'commit',
// 'presence' and 'state'.
// 'commit' carries one committed transaction, {entries, proposal, replayed}: once and in seq order for the
// watched board (caught up after a reconnect, replayed: true), and as it arrives for any other board or
// none (the member's own notices, and every commit while watchTrail() holds, with 'trailresumed').
import { get } from './api.js';

const retryDelays = [0, 1000, 2000, 4000, 8000];
const delayFor = (attempt) => retryDelays[Math.min(attempt, retryDelays.length - 1)];
const catchUpLimit = 500;
// Two instances' messages may cross on the way: a gap that the next moment fills is not worth a fetch.
const gapGraceMs = 1000;

/**
 * Entries fetched after an outage, as commits: consecutive entries of one proposal become one commit carrying
 * that proposal's current state (what the page would show after the last of them anyway).
 */
function commitsOf(entries) {
  const commits = [];
  for (const entry of entries) {
    const current = commits[commits.length - 1];
    if (current && entry.proposalId && current.entries[0].proposalId === entry.proposalId) current.entries.push(entry);
    else commits.push({ entries: [entry] });
  }
  for (const commit of commits) commit.proposal = commit.entries[commit.entries.length - 1].proposal ?? null;
  return commits;
}

export class Live extends EventTarget {
  #connection;
  #boardId = null;
  #lastSeq = 0;
  // Everything of the watched board up to #held is applied; commits past a gap wait in #pending as [prev, last].
  #held = 0;
  #pending = [];
  #head = 0;
  #repairTimer = null;
  #floor = 0;
  #applied = new Set();
  #catchingUp = false;
  #queue = [];
  #presence = new Map();
  #state = 'connecting';
  #restartAttempt = 0;
  #stopped = false;
  #trail = 0;
  // The whole trail is seq-gap-free: every seq up to #trailHeld arrived; #trailSeen holds those past a gap.
  #trailHeld = 0;
  #trailSeen = new Set();
  #trailHead = 0;
  #trailTimer = null;

  constructor() {
    super();
    const signalR = globalThis.signalR;
    this.#connection = new signalR.HubConnectionBuilder()
      .withUrl('/hubs/board')
      // Keep trying for as long as the page is open: a store floor loses Wi-Fi for minutes, not seconds.
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (context) => delayFor(context.previousRetryCount) })
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    this.#connection.on('commit', (commit) => this.#onCommit(commit));
    this.#connection.on('head', (head) => this.#onHead(head));
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
    this.#held = afterSeq;
    this.#pending = [];
    this.#head = 0;
    this.#floor = afterSeq;
    this.#applied.clear();
    this.#queue = [];
    if (this.#connection.state !== 'Connected') return;
    if (previous && previous !== boardId) await this.#connection.invoke('Unwatch', previous).catch(() => {});
    // The connection may close while joining (the server ends a revoked session's connections): onclose takes it from there.
    await this.#join(false).catch(() => {});
  }

  /**
   * Every commit, of any board or none, as 'commit' events until unwatchTrail(); kept across reconnects. Counted:
   * several holders (the Trail page, "Waiting for me", the navigation's count) each call watch and unwatch once.
   */
  async watchTrail() {
    if (this.#trail++ > 0) return;
    await this.#trailBaseline();
    if (this.#connection.state === 'Connected') await this.#connection.invoke('WatchTrail');
  }

  /** The trail's head now: what the trail pages load next includes it, and any seq past it must arrive. */
  async #trailBaseline() {
    const { headSeq } = await get('/api/audit?limit=1');
    this.#trailHeld = Math.max(this.#trailHeld, headSeq);
    this.#trailSeen.clear();
  }

  async unwatchTrail() {
    if (this.#trail === 0 || --this.#trail > 0) return;
    if (this.#connection.state === 'Connected') await this.#connection.invoke('UnwatchTrail').catch(() => {});
  }

  /** After a (re)connect the group is gone: join it again, then let the page fetch what it missed. */
  async #rejoinTrail() {
    if (this.#trail === 0) return;
    await this.#connection.invoke('WatchTrail');
    await this.#trailBaseline();
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
      caughtUp = await this.#fetchMissed(boardId);
    } finally {
      this.#catchingUp = false;
      const queued = this.#queue;
      this.#queue = [];
      for (const commit of queued) this.#onBoardCommit(commit);
    }
    if (afterOutage) this.dispatchEvent(new CustomEvent('caughtup', { detail: { count: caughtUp } }));
  }

  /** Applies the board's entries after #held, whose every entry is then held; returns how many were new. */
  async #fetchMissed(boardId) {
    let count = 0;
    for (;;) {
      const entries = await get(`/api/boards/${boardId}/events?after=${this.#held}&limit=${catchUpLimit}`);
      if (boardId !== this.#boardId) return count;
      for (const commit of commitsOf(entries)) if (this.#accept(commit, true)) count += commit.entries.length;
      if (entries.length > 0) this.#held = Math.max(this.#held, entries[entries.length - 1].seq);
      if (entries.length < catchUpLimit) break;
    }
    this.#pending = this.#pending.filter(([, last]) => last > this.#held);
    return count;
  }

  #onCommit(commit) {
    if (this.#trail > 0) this.#trailArrived(commit.entries);
    if (commit.entries[0].boardId !== this.#boardId) this.#dispatch(commit, false);
    else if (this.#catchingUp) this.#queue.push(commit);
    else this.#onBoardCommit(commit);
  }

  /**
   * A commit of the watched board: applied once, and its `prev` checked. A commit whose prev is held continues the
   * board; one whose prev is not waits in #pending, and if the gap is still open after a moment the board's entries
   * after #held are fetched. A repeat still counts for the check (the trail's copy of a commit carries the trail's prev).
   */
  #onBoardCommit(commit) {
    this.#accept(commit, false);
    const last = commit.entries[commit.entries.length - 1].seq;
    this.#pending.push([commit.prev ?? last, last]);
    this.#settle();
  }

  /** Moves #held over every pending commit that now continues it; a gap left open is repaired after a moment. */
  #settle() {
    for (let moved = true; moved;) {
      moved = false;
      for (const [prev, last] of this.#pending) {
        if (prev <= this.#held && last > this.#held) { this.#held = last; moved = true; }
      }
    }
    this.#pending = this.#pending.filter(([, last]) => last > this.#held);
    if ((this.#pending.length > 0 || this.#head > this.#held) && !this.#repairTimer) {
      this.#repairTimer = setTimeout(() => this.#repair(), gapGraceMs);
    }
  }

  async #repair() {
    this.#repairTimer = null;
    const boardId = this.#boardId;
    if (!boardId || this.#catchingUp || this.#connection.state !== 'Connected') return;
    if (this.#pending.length === 0 && this.#head <= this.#held) return;
    this.#catchingUp = true;
    try {
      await this.#fetchMissed(boardId);
    } catch {
      // The next commit, head or reconnect tries again.
    } finally {
      this.#catchingUp = false;
      const queued = this.#queue;
      this.#queue = [];
      for (const commit of queued) this.#onBoardCommit(commit);
    }
  }

  #onHead({ boardId, seq }) {
    if (boardId === null || boardId === undefined) {
      if (this.#trail === 0) return;
      this.#trailHead = Math.max(this.#trailHead, seq);
      this.#trailSettle();
    } else if (boardId === this.#boardId) {
      this.#head = Math.max(this.#head, seq);
      this.#settle();
    }
  }

  /** Trail seqs have no gaps: every seq past #trailHeld that arrives is kept until the ones before it arrive too. */
  #trailArrived(entries) {
    for (const e of entries) if (e.seq > this.#trailHeld) this.#trailSeen.add(e.seq);
    this.#trailSettle();
  }

  #trailSettle() {
    while (this.#trailSeen.delete(this.#trailHeld + 1)) this.#trailHeld++;
    if ((this.#trailSeen.size > 0 || this.#trailHead > this.#trailHeld) && !this.#trailTimer) {
      this.#trailTimer = setTimeout(() => this.#trailRepair(), gapGraceMs);
    }
  }

  /** A trail seq never arrived: the trail pages load again what they show (as after a reconnect). */
  #trailRepair() {
    this.#trailTimer = null;
    if (this.#trail === 0 || (this.#trailSeen.size === 0 && this.#trailHead <= this.#trailHeld)) return;
    this.#trailHeld = Math.max(this.#trailHead, ...this.#trailSeen);
    this.#trailSeen.clear();
    this.dispatchEvent(new CustomEvent('trailresumed'));
  }

  /**
   * Applies each commit of the watched board once: seq is global, so gaps are normal; repeats are dropped. Two
   * instances' commits may cross on the way, so one older than the newest applied still counts if it is new.
   */
  #accept(commit, replayed) {
    const last = commit.entries[commit.entries.length - 1];
    if (last.boardId !== this.#boardId || !commit.entries.some((e) => e.seq > this.#floor && !this.#applied.has(e.seq))) return false;
    for (const e of commit.entries) this.#applied.add(e.seq);
    if (this.#applied.size > 1000) {
      // Keep the newest: whatever crosses on the way arrives within moments of its neighbours.
      for (const seq of [...this.#applied].sort((a, b) => a - b).slice(0, 500)) { this.#applied.delete(seq); this.#floor = Math.max(this.#floor, seq); }
    }
    this.#lastSeq = Math.max(this.#lastSeq, last.seq);
    this.#dispatch(commit, replayed);
    return true;
  }

  #dispatch({ entries, proposal }, replayed) {
    this.dispatchEvent(new CustomEvent('commit', { detail: { entries, proposal: proposal ?? null, replayed } }));
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
