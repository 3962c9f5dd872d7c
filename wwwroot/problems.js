// Every refusal in the page's language: the problem's `code` chooses the text, never the server's English
// detail, and no raw code is shown. Field errors are named by field, with the limits from /api/meta.
import { ApiError } from './api.js';
import { has, t } from './i18n.js';
import { limitParams, Status } from './meta.js';

/** One sentence for any error a request can end in. */
export function problemText(error) {
  if (error instanceof ApiError && error.status === 0) return t('error.network');
  const code = error?.code;
  return code && has(`problem.${code}`) ? t(`problem.${code}`) : t('error.generic');
}

/** The text for one field's errors: its own sentence when the language has one, else the general one. */
export function fieldText(field) {
  return has(`field.${field}`) ? t(`field.${field}`, limitParams()) : t('problem.validation');
}

/** A problem's field name as the form knows it: nested names ("policy.ApprovalsRequired") belong to their last part. */
const fieldName = (key) => {
  const last = key.split('.').pop();
  return last.charAt(0).toLowerCase() + last.slice(1);
};

/**
 * The one form-error helper. `fields` maps field names to [errorElement, input, focusTarget?]; `formError` takes
 * what no field claims. Shows the error (or clears with error = null) and returns the element to focus.
 */
export function showFormError({ fields = {}, formError = null }, error) {
  for (const entry of Object.values(fields)) clearField(entry);
  if (formError) { formError.hidden = true; formError.textContent = ''; }
  if (!error) return null;
  let first = null;
  for (const key of Object.keys(error.errors ?? {})) {
    const name = fieldName(key);
    const target = fields[name];
    if (!target) continue;
    markField(target, fieldText(name));
    first ??= target[2] ?? target[1];
  }
  if (!first && formError) { formError.textContent = problemText(error); formError.hidden = false; }
  return first ?? formError;
}

/** Marks one field as wrong with `text` (a required field left empty, say). */
/** Clears a field's error line and its invalid mark. */
export function clearField([el, input]) {
  el.hidden = true;
  el.textContent = '';
  input.removeAttribute('aria-invalid');
}

export function markField([el, input], text) {
  el.textContent = text;
  el.hidden = false;
  input.setAttribute('aria-invalid', 'true');
}

/** Why this member cannot approve `p` (a code from rules.js), said for the page. */
export function whyNotText(code, p) {
  if (code === 'not-open') {
    const status = p.status === Status.open ? Status.expired : p.status;
    return t('proposal.whyNot.closed', { status: t(`status.${status}`).toLocaleLowerCase() });
  }
  if (code === 'own-proposal') return t('proposal.whyNot.own');
  if (code === 'not-approver') return t('proposal.whyNot.role', { role: t(`role.${p.approverRole}`) });
  return problemText({ code });
}
