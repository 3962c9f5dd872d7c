// Forms: the proposal composer (title + Markdown with a server preview) and a plain form for one text area
// (comment, outcome). Both report errors through problems.js's showFormError, the one form-error helper.
import { post } from './api.js';
import { fill, h, trustedHtml } from './dom.js';
import { t } from './i18n.js';
import { vocabulary } from './meta.js';
import { photoPicker } from './photos.js';
import { markField, problemText, showFormError } from './problems.js';

let uidCounter = 0;
const uid = () => `f${++uidCounter}`;

/** A labelled field with its error line: { node, input, error, entry } where entry is what showFormError takes. */
function fieldOf(label, input, ...extra) {
  const error = h('p', { id: `${input.id}-error`, class: 'field-error', hidden: true });
  input.setAttribute('aria-describedby', error.id);
  return { node: h('div', { class: 'field' }, h('label', { for: input.id }, label), ...extra, input, error), input, entry: [error, input] };
}

/**
 * Runs `submit` for `form` (busy while it runs); a required field left empty is marked without asking the
 * server; any refusal is shown by showFormError. `fields` maps the problem's field names to fieldOf() results.
 */
function handleSubmit(form, button, fields, formError, required, submit) {
  const errors = { fields: Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, f.entry])), formError };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showFormError(errors, null);
    const empty = required.find((f) => !f.input.value.trim());
    if (empty) { markField(empty.entry, t('error.required')); empty.input.focus(); return; }
    button.disabled = true;
    try {
      await submit();
    } catch (error) {
      (showFormError(errors, error) ?? button).focus();
    } finally {
      button.disabled = false;
    }
  });
}

/**
 * Title + Markdown body with a server-rendered preview; field errors from problem details appear inline. With
 * `photos` (the proposal's attachments, [] for a new one) it has a photo picker too, and onSubmit gets its changes.
 */
export function composeForm({ heading, submitLabel, title = '', body = '', warning = null, photos = null, onSubmit, onCancel }) {
  const id = uid();
  const titleField = fieldOf(t('post.title'), h('input', { id: `title-${id}`, name: 'title', maxlength: String(vocabulary().limits.title), required: true, value: title }));
  const bodyInput = h('textarea', { id: `body-${id}`, name: 'body', rows: '8' });
  bodyInput.value = body;
  const preview = markdownPreview(id, bodyInput);
  const bodyField = fieldOf(t('post.body'), bodyInput, preview.tabs);
  bodyField.node.append(preview.root);
  const picker = photos ? photoPicker(photos) : null;
  const formError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, submitLabel);
  const form = h('form', { class: 'form compose', novalidate: true },
    h('h2', {}, heading),
    warning ? h('p', { class: 'warning', role: 'note' }, warning) : null,
    titleField.node, bodyField.node, picker?.node, formError,
    h('div', { class: 'actions' }, submit, onCancel ? h('button', { type: 'button', class: 'button button-quiet', onclick: onCancel }, t('post.cancel')) : null));
  handleSubmit(form, submit, { title: titleField, body: bodyField }, formError, [titleField],
    () => onSubmit(titleField.input.value.trim(), bodyInput.value, picker?.changes()));
  return form;
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
  const field = fieldOf(label, h('textarea', { id, name, rows: '3', maxlength: String(maxLength), required: true }));
  const formError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: primary ? 'button button-primary' : 'button' }, submitLabel);
  const form = h('form', { class: className, novalidate: true }, heading ? h('h2', {}, heading) : null, field.node, formError, submit);
  handleSubmit(form, submit, { [name]: field }, formError, [field], async () => {
    await onSubmit(field.input.value);
    field.input.value = '';
  });
  return form;
}
