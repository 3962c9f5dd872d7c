// The member's own account: change the password. Every other browser and device signed in as this member is
// signed out by it; this page stays signed in.
import { post } from './api.js';
import { announce, h } from './dom.js';
import { t } from './i18n.js';
import { markField, showFormError } from './problems.js';

/** A labelled password input with its error line and a hint: [node, input, errorEntry]. */
function passwordField(id, label, autocomplete, hint) {
  const error = h('p', { id: `${id}-error`, class: 'field-error', hidden: true });
  const hintEl = hint ? h('p', { id: `${id}-hint`, class: 'hint' }, hint) : null;
  const input = h('input', { id, name: id, type: 'password', autocomplete, required: true, maxlength: '256',
    'aria-describedby': [hintEl?.id, error.id].filter(Boolean).join(' ') });
  return { node: h('div', { class: 'field' }, h('label', { for: id }, label), hintEl, input, error), input, entry: [error, input] };
}

export async function render({ main }) {
  const current = passwordField('password-current', t('account.current'), 'current-password');
  const next = passwordField('password-new', t('account.new'), 'new-password', t('account.rule'));
  const formError = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const done = h('p', { id: 'password-done', class: 'muted', role: 'status' });
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, t('account.submit'));
  const form = h('form', { class: 'form', novalidate: true, 'aria-labelledby': 'password-heading' },
    h('h2', { id: 'password-heading' }, t('account.password')), h('p', { class: 'lead' }, t('account.intro')),
    current.node, next.node, formError, h('div', { class: 'actions' }, submit), done);
  const errors = { fields: { current: current.entry, new: next.entry }, formError };
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showFormError(errors, null);
    done.textContent = '';
    const empty = [current, next].find((f) => !f.input.value);
    if (empty) { markField(empty.entry, t('error.required')); empty.input.focus(); return; }
    submit.disabled = true;
    try {
      await post('/api/me/password', { current: current.input.value, new: next.input.value });
      form.reset();
      done.textContent = t('account.changed');
      announce(t('account.changed'));
    } catch (error) {
      (showFormError(errors, error) ?? submit).focus();
    } finally {
      submit.disabled = false;
    }
  });
  main.append(h('section', { class: 'account-page', 'aria-labelledby': 'account-heading' },
    h('h1', { id: 'account-heading' }, t('account.heading')), form));
}
