// Push notifications on this device: a switch in the notifications menu. Permission is asked only when the
// member turns the switch on (a user gesture), and turning it off unsubscribes this device alone.
import { ApiError, del, get, post } from './api.js';
import { announce } from './dom.js';
import { t } from './i18n.js';

const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

/** Registers the service worker (the installable app and its offline page), wherever push is supported or not. */
export function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js').catch(() => { /* no offline page, the app still works */ });
}

export class PushSwitch {
  #root = document.getElementById('push-setting');
  #switch = document.getElementById('push-toggle');
  #status = document.getElementById('push-status');
  #abort = new AbortController();
  #busy = false;

  constructor() {
    if (!supported) return;
    this.#root.hidden = false;
    this.#switch.addEventListener('click', () => this.#toggle(), { signal: this.#abort.signal });
    this.refresh();
  }

  /**
   * Shows whether this device is subscribed. A subscribed device is told to the server again: it is now this
   * member's, in the page's current language (after a sign-in or a language change).
   */
  async refresh() {
    if (!supported) return;
    const subscription = await this.#subscription();
    const on = Boolean(subscription) && Notification.permission === 'granted';
    this.#show(on);
    if (on) await post('/api/me/push', subscription.toJSON()).catch(() => { /* shown as on; the next refresh tries again */ });
  }

  /** On sign-out: this device stops receiving the member's notifications (the next member may use the phone). */
  async turnOff({ tellServer }) {
    if (!supported) return;
    const subscription = await this.#subscription();
    if (!subscription) return;
    if (tellServer) {
      try { await del('/api/me/push', { endpoint: subscription.endpoint }); } catch { /* the push service's 410 removes it later */ }
    }
    await subscription.unsubscribe().catch(() => {});
  }

  stop() {
    this.#abort.abort();
    this.#root.hidden = true;
  }

  async #toggle() {
    if (this.#busy) return;
    this.#busy = true;
    this.#switch.setAttribute('aria-busy', 'true');
    try {
      if (this.#switch.getAttribute('aria-checked') === 'true') await this.#off();
      else await this.#on();
    } catch (error) {
      this.#say(error instanceof ApiError && error.message ? error.message : t('push.failed'));
      await this.refresh();
    } finally {
      this.#busy = false;
      this.#switch.removeAttribute('aria-busy');
    }
  }

  async #on() {
    const permission = await Notification.requestPermission();
    if (permission !== 'granted') {
      this.#show(false);
      this.#say(t(permission === 'denied' ? 'push.blocked' : 'push.notAllowed'));
      return;
    }
    const { publicKey } = await get('/api/push/key');
    const registration = await navigator.serviceWorker.ready;
    const existing = await registration.pushManager.getSubscription();
    const subscription = existing ?? await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: publicKey });
    await post('/api/me/push', subscription.toJSON());
    this.#show(true);
    this.#say(t('push.turnedOn'));
  }

  async #off() {
    await this.turnOff({ tellServer: true });
    this.#show(false);
    this.#say(t('push.turnedOff'));
  }

  async #subscription() {
    const registration = await navigator.serviceWorker.getRegistration();
    return registration ? registration.pushManager.getSubscription() : null;
  }

  #show(on) {
    this.#switch.setAttribute('aria-checked', on ? 'true' : 'false');
    this.#switch.querySelector('.push-state').textContent = t(on ? 'push.on' : 'push.off');
  }

  #say(text) {
    this.#status.textContent = text;
    announce(text);
  }
}
