// The one form kit: labelled fields with hints and inline errors (formKit), made into a real form (kitForm) —
// busy while it runs, required fields marked without asking the server, any refusal shown through problems.js's
// showFormError, the one form-error helper. Built on it: the proposal composer (title + Markdown with a server
// preview) and a plain form for one text area (comment, outcome); admin.js builds its forms with it too.
import { post } from './api.js';
import { fill, h, trustedHtml } from './dom.js';
import { t } from './i18n.js';
import { vocabulary } from './meta.js';
import { photoPicker } from './photos.js';
import { clearField, markField, problemText, showFormError } from './problems.js';

let uidCounter = 0;
const uid = () => `f${++uidCounter}`;

/**
 * One field: { name, label, control, hint?, extra?, before?, after? } (extra stands beside the control, before
 * between the label and it, after at the end) or a group { name, legend, group, hint?, hiddenLegend? } where group
 * is { root, first }. Returns the node and the entry showFormError takes: [error, invalid element, focus target].
 */
function field(spec) {
  const id = spec.control?.id ?? spec.group.root.id;
  const error = h('p', { id: `${id}-error`, class: 'field-error', hidden: true });
  const hint = spec.hint ? h('p', { id: `${id}-hint`, class: 'hint muted' }, spec.hint) : null;
  const describedBy = [hint?.id, error.id].filter(Boolean).join(' ');
  if (!spec.control) {
    return {
      entry: [error, spec.group.root, spec.group.first],
      node: h('fieldset', { class: 'field fieldset', 'aria-describedby': describedBy },
        h('legend', { class: spec.hiddenLegend ? 'visually-hidden' : null }, spec.legend), hint, spec.group.root, error),
    };
  }
  spec.control.setAttribute('aria-describedby', describedBy);
  const row = spec.extra ? h('div', { class: 'field-row' }, spec.control, spec.extra) : spec.control;
  return {
    entry: [error, spec.control, spec.control],
    node: h('div', { class: 'field' }, h('label', { for: id }, spec.label), spec.before ?? null, row, hint, error, spec.after ?? null),
  };
}

/** Fields for a form: nodes to lay out, controls by name, show(error, formError) and missing() for kitForm. */
export function formKit(specs) {
  const controls = new Map();
  const entries = {};
  const nodes = specs.map((spec) => {
    const { node, entry } = field(spec);
    entries[spec.name] = entry;
    if (spec.control) controls.set(spec.name, spec.control);
    return node;
  });
  return {
    nodes,
    controls,
    /** Shows a refusal (or clears, with null) through the one form-error helper; returns what to focus. */
    show: (error, formError = null) => showFormError({ fields: entries, formError }, error),
    /** Marks required fields left empty (the server would only say the body is not valid); returns the first. */
    missing() {
      const empty = [...controls].filter(([, c]) => c.required && !c.value.trim()).map(([name]) => entries[name]);
      for (const entry of empty) markField(entry, t('error.required'));
      return empty[0]?.[2] ?? null;
    },
    /** Marks the field `name` wrong with `text` (a check the page makes itself); '' clears it. */
    mark: (name, text) => (text ? markField(entries[name], text) : clearField(entries[name])),
  };
}

/**
 * A real form around a kit: an optional heading and note, the fields, one alert for what no field claims, and
 * the submit button (then `buttons`). `run()` may throw a refusal: field errors appear inline, focus goes to the first.
 */
export function kitForm({ kit, submitLabel, run, id = null, className = 'form', heading = null, note = null, primary = true, buttons = [] }) {
  const submit = h('button', { type: 'submit', class: primary ? 'button button-primary' : 'button' }, submitLabel);
  const formError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const form = h('form', { id, class: className, novalidate: true },
    heading ? h('h2', {}, heading) : null,
    note ? h('p', { class: 'warning', role: 'note' }, note) : null,
    kit.nodes, formError, h('div', { class: 'actions' }, submit, buttons));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    kit.show(null, formError);
    const empty = kit.missing();
    if (empty) { empty.focus(); return; }
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      await run();
    } catch (error) {
      // Field errors in the page's language, named by field; anything else in the alert under the form.
      kit.show(error, formError)?.focus();
    } finally {
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
  return form;
}

/**
 * Title + Markdown body with a server-rendered preview; field errors from problem details appear inline. With
 * `photos` (the proposal's attachments, [] for a new one) it has a photo picker too, and onSubmit gets its changes.
 */
export function composeForm({ heading, submitLabel, title = '', body = '', warning = null, photos = null, onSubmit, onCancel }) {
  const id = uid();
  const titleInput = h('input', { id: `title-${id}`, name: 'title', maxlength: String(vocabulary().limits.title), required: true, value: title });
  const bodyInput = h('textarea', { id: `body-${id}`, name: 'body', rows: '8' });
  bodyInput.value = body;
  const preview = markdownPreview(id, bodyInput);
  // The photo picker is one field of the kit; what it says about a file shows in that field's error line.
  const picker = photos ? photoPicker(photos, (text) => kit.mark('photos', text)) : null;
  const kit = formKit([
    { name: 'title', label: t('post.title'), control: titleInput },
    { name: 'body', label: t('post.body'), control: bodyInput, before: preview.tabs, after: preview.root },
    ...(picker ? [picker.field] : []),
  ]);
  return kitForm({
    kit, submitLabel, heading, note: warning, className: 'form compose',
    buttons: onCancel ? [h('button', { type: 'button', class: 'button button-quiet', onclick: onCancel }, t('post.cancel'))] : [],
    run: () => onSubmit(titleInput.value.trim(), bodyInput.value, picker?.changes()),
  });
}

/** Write / Preview tabs over a body: the preview is the server's sanitized rendering. */
function markdownPreview(id, bodyInput) {
  const root = h('div', { class: 'preview markdown', id: `preview-${id}`, hidden: true, 'aria-live': 'polite' });
  const writeTab = h('button', { type: 'button', class: 'tab', 'aria-pressed': 'true', 'aria-controls': bodyInput.id }, t('post.write'));
  const previewTab = h('button', { type: 'button', class: 'tab', 'aria-pressed': 'false', 'aria-controls': root.id }, t('post.preview'));
  async function show(on) {
    writeTab.setAttribute('aria-pressed', String(!on));
    previewTab.setAttribute('aria-pressed', String(on));
    bodyInput.hidden = on;
    root.hidden = !on;
    if (!on) { bodyInput.focus(); return; }
    if (!bodyInput.value.trim()) { fill(root, h('p', { class: 'muted' }, t('post.previewEmpty'))); return; }
    try {
      trustedHtml(root, (await post('/api/preview', { body: bodyInput.value })).html);
    } catch (error) {
      fill(root, h('p', { class: 'form-error' }, problemText(error)));
    }
  }
  writeTab.addEventListener('click', () => show(false));
  previewTab.addEventListener('click', () => show(true));
  return { root, tabs: h('div', { class: 'tabs' }, writeTab, previewTab) };
}

/** One required text area and a submit button (a comment, an outcome note); `onSubmit(text)` may throw a refusal. */
export function textForm({ id, name, label, submitLabel, maxLength, heading = null, className = 'form', primary = false, onSubmit }) {
  const input = h('textarea', { id, name, rows: '3', maxlength: String(maxLength), required: true });
  return kitForm({
    kit: formKit([{ name, label, control: input }]), submitLabel, heading, className, primary,
    run: async () => {
      await onSubmit(input.value);
      input.value = '';
    },
  });
}
