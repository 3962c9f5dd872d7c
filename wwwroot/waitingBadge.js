// The navigation's live count of "Waiting for me", for members who approve on some board: fetched from
// /api/me/waiting, again (debounced) whenever a commit on any board could change it.
import { get } from './api.js';

export class WaitingBadge {
  #live;
  #count = document.getElementById('waiting-count');
  #timer = null;
  #abort = new AbortController();
  #value = null;

  constructor(live) {
    this.#live = live;
    const signal = this.#abort.signal;
    // Any commit about a proposal may change what waits (a burst of them fetches once).
    live.addEventListener('commit', (e) => { if (e.detail.proposal) this.refresh(); }, { signal });
    live.addEventListener('state', (e) => { if (e.detail === 'connected') this.refresh(); }, { signal });
    live.addEventListener('trailresumed', () => this.refresh(), { signal });
    live.watchTrail();
    this.refresh();
  }

  /** Shows `count` at once (the Waiting page knows it first); a fetch follows to confirm. */
  set(count) {
    this.#value = count;
    this.#count.textContent = String(count);
    this.#count.hidden = count === 0;
  }

  refresh() {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(async () => {
      try {
        this.set((await get('/api/me/waiting')).total);
      } catch { /* the next commit or reconnect tries again */ }
    }, 250);
  }

  /** Redraws after a change of language (the link's text is translated with the page). */
  retranslate() { if (this.#value !== null) this.set(this.#value); }

  stop() {
    this.#abort.abort();
    clearTimeout(this.#timer);
    this.#live.unwatchTrail();
  }
}
