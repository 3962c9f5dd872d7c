// Photos: the picker a proposal is posted or edited with (the phone's camera or its gallery, each photo drawn as a
// preview before anything is sent, and described by the member), the thumbnails on cards and the photos on a
// proposal's page. Previews are drawn from the file itself (createImageBitmap), so img-src stays 'self'.
import { del, upload } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';
import { vocabulary } from './meta.js';

const PreviewSide = 160;
let uidCounter = 0;

const source = (a, thumb) => `/api/attachments/${a.id}${thumb ? '?size=thumb' : ''}`;
const megabytes = () => Math.round(vocabulary().photos.uploadBytes / (1024 * 1024));

/** Width and height scaled to fit `side`: the page reserves the space before the image arrives. */
function fitted(a, side) {
  const k = Math.min(1, side / Math.max(a.width, a.height));
  return { width: String(Math.max(1, Math.round(a.width * k))), height: String(Math.max(1, Math.round(a.height * k))) };
}

function photoImage(a, index, count, thumb) {
  const alt = a.alt || t('photo.unnamed', { n: index + 1, count });
  return h('img', { src: source(a, thumb), alt, loading: 'lazy', decoding: 'async', class: thumb ? 'photo-thumb' : 'photo-full', ...fitted(a, thumb ? 320 : 2048) });
}

/** A card's thumbnails (none without photos). */
export function cardPhotos(p) {
  const photos = p.attachments ?? [];
  if (!photos.length) return null;
  return h('ul', { class: 'card-photos', 'aria-label': t('photo.listLabel', { count: photos.length }) },
    photos.map((a, i) => h('li', {}, photoImage(a, i, photos.length, true))));
}

/** The photos at full size on a proposal's page, each with the member's description under it. */
export function photosPart() {
  const listEl = h('ul', { class: 'photos', id: 'photos' });
  const root = h('section', { class: 'card', 'aria-labelledby': 'photos-heading', hidden: true },
    h('h2', { id: 'photos-heading' }, t('photo.heading')), listEl);
  let shown = '';
  return {
    root,
    render(p) {
      const photos = p.attachments ?? [];
      const key = photos.map((a) => a.id).join();
      root.hidden = photos.length === 0;
      if (key === shown) return;
      shown = key;
      listEl.replaceChildren(...photos.map((a, i) => h('li', {}, h('figure', {}, photoImage(a, i, photos.length, false),
        a.alt ? h('figcaption', {}, a.alt) : null))));
    },
  };
}

/** Draws `file` into a canvas no larger than PreviewSide; null when the browser cannot read it. */
async function previewOf(file) {
  try {
    const bitmap = await createImageBitmap(file);
    const k = Math.min(1, PreviewSide / Math.max(bitmap.width, bitmap.height));
    const canvas = h('canvas', { width: String(Math.round(bitmap.width * k)), height: String(Math.round(bitmap.height * k)), role: 'img', 'aria-label': t('photo.preview', { name: file.name }) });
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    return canvas;
  } catch {
    return null;
  }
}

/**
 * The photos of a proposal being posted or edited: `existing` are the ones it has. Nothing is sent until the form
 * is: changes() says what to add (file and description) and which to remove, for sendPhotos(). It is one field of
 * the form kit (`field`: a group with its legend and hint); what it has to say about a file goes through `say(text)`,
 * the kit's own error line for it ('' clears it).
 */
export function photoPicker(existing = [], say = () => {}) {
  const id = `photos-${++uidCounter}`;
  const { perProposal, alt: altMax } = vocabulary().photos;
  const kept = [...existing];
  const removed = [];
  const pending = [];
  const listEl = h('ul', { class: 'photo-picks', id: `${id}-list` });
  const camera = h('input', { type: 'file', id: `${id}-camera`, accept: 'image/*', capture: 'environment', 'aria-describedby': `${id}-hint ${id}-error` });
  const gallery = h('input', { type: 'file', id: `${id}-gallery`, accept: 'image/*', multiple: true, 'aria-describedby': `${id}-hint ${id}-error` });
  const count = () => kept.length + pending.length;

  function removable(item, label, onRemove) {
    return h('button', { type: 'button', class: 'button button-quiet', 'aria-label': label, onclick: () => { onRemove(); item.remove(); say(''); gallery.focus(); } }, t('photo.remove'));
  }

  async function addFiles(input) {
    say('');
    for (const file of [...input.files]) {
      if (count() >= perProposal) { say(t('photo.tooMany', { max: perProposal })); break; }
      if (!file.type.startsWith('image/')) { say(t('photo.notImage', { name: file.name })); continue; }
      if (file.size > vocabulary().photos.uploadBytes) { say(t('photo.tooLarge', { name: file.name, mb: megabytes() })); continue; }
      const altInput = h('input', { id: `${id}-alt-${++uidCounter}`, maxlength: String(altMax), autocomplete: 'off' });
      const entry = { file, sent: false, get alt() { return altInput.value.trim(); } };
      pending.push(entry);
      const item = h('li', { class: 'photo-pick' });
      item.append(await previewOf(file) ?? h('p', { class: 'muted' }, t('photo.noPreview', { name: file.name })),
        h('div', { class: 'field' }, h('label', { for: altInput.id }, t('photo.alt')), altInput),
        removable(item, t('photo.removeLabel', { name: file.name }), () => pending.splice(pending.indexOf(entry), 1)));
      listEl.append(item);
    }
    input.value = '';
  }
  camera.addEventListener('change', () => addFiles(camera));
  gallery.addEventListener('change', () => addFiles(gallery));

  for (const [i, a] of existing.entries()) {
    const item = h('li', { class: 'photo-pick' }, photoImage(a, i, existing.length, true));
    item.append(removable(item, t('photo.removeExisting', { n: i + 1 }), () => { kept.splice(kept.indexOf(a), 1); removed.push({ id: a.id, sent: false }); }));
    listEl.append(item);
  }

  const root = h('div', { id },
    h('div', { class: 'photo-inputs' },
      h('div', { class: 'field' }, h('label', { for: camera.id }, t('photo.camera')), camera),
      h('div', { class: 'field' }, h('label', { for: gallery.id }, t('photo.gallery')), gallery)),
    listEl);
  return {
    field: { name: 'photos', legend: t('photo.legend', { max: perProposal }), hint: t('photo.hint', { mb: megabytes() }), group: { root, first: gallery } },
    // What is still to send: after a refusal part-way, sending again does not repeat what was already done.
    changes: () => ({ added: pending.filter((p) => !p.sent), removed: removed.filter((r) => !r.sent) }),
  };
}

/** Sends a picker's changes for proposal `id`: removals first, then each new photo, each marked sent. Throws the first refusal. */
export async function sendPhotos(id, changes) {
  for (const removal of changes?.removed ?? []) {
    await del(`/api/attachments/${removal.id}`);
    removal.sent = true;
  }
  for (const photo of changes?.added ?? []) {
    const form = new FormData();
    form.append('file', photo.file, photo.file.name);
    if (photo.alt) form.append('alt', photo.alt);
    await upload(`/api/proposals/${id}/attachments`, form);
    photo.sent = true;
  }
}
