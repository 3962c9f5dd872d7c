// The trail's proof outside Board on the Trail page: the latest signed checkpoint (C2SP), and an entry's RFC 9162
// inclusion proof checked here, in the browser, with WebCrypto SHA-256 against the checkpoint's root.
import { get } from './api.js';

const base64ToBytes = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const hexToBytes = (hex) => Uint8Array.from(hex.match(/../g), (b) => parseInt(b, 16));
const sha256 = async (...parts) => {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', all));
};
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The latest checkpoint as `{ text, origin, size, root }`, or null before the first one. */
export async function latestCheckpoint() {
  const response = await fetch('/api/audit/checkpoint', { credentials: 'same-origin' });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(String(response.status));
  const text = await response.text();
  const [origin, size, root] = text.split('\n');
  return { text, origin, size: Number(size), root: base64ToBytes(root) };
}

/** Can this page check proofs itself? WebCrypto needs a secure context (HTTPS or this machine). */
export const canCheck = () => Boolean(globalThis.crypto?.subtle);

/**
 * The inclusion proof of `entry` in the tree of `size` entries, and whether it leads from the entry's own hash to
 * `root` (RFC 9162 §2.1.3.2): `{ proof, verified }`, `verified` null when no root was given or it cannot be checked.
 */
export async function proveEntry(entry, size, root) {
  const proof = await get(`/api/audit/proof/inclusion?seq=${entry.seq}&size=${size}`);
  if (!root || !canCheck()) return { proof, verified: null };
  const leaf = await sha256(new Uint8Array([0]), hexToBytes(entry.hash));
  let fn = entry.seq - 1;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof.hashes.map(base64ToBytes)) {
    if (sn === 0) return { proof, verified: false };
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(new Uint8Array([1]), p, r);
      if (fn % 2 === 0) {
        do { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); } while (fn % 2 === 0 && fn !== 0);
      }
    } else {
      r = await sha256(new Uint8Array([1]), r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return { proof, verified: sn === 0 && equal(r, root) };
}
