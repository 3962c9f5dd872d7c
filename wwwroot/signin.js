// The first page a signed-out visitor gets.
import { get, post } from './api.js';
import { problemText } from './problems.js';
import { h } from './dom.js';
import { t } from './i18n.js';

// Why a sign-in was refused, by problem code, in the page's language.
const refusals = { 'invalid-credentials': 'signIn.invalid', inactive: 'signIn.inactive', 'locked-out': 'signIn.lockedOut' };

export async function render({ main, onSignedIn }) {
  const error = h('p', { id: 'signin-error', class: 'form-error', role: 'alert', hidden: true });
  const email = h('input', { id: 'signin-email', name: 'email', type: 'email', autocomplete: 'username', required: true, 'aria-describedby': 'signin-error' });
  const password = h('input', { id: 'signin-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, t('signIn.submit'));
  const form = h('form', { class: 'card form signin-form', novalidate: true },
    field('signin-email', t('signIn.email'), email),
    field('signin-password', t('signIn.password'), password),
    error,
    submit);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.hidden = true;
    if (!email.value || !password.value) {
      showError(t('error.required'));
      (email.value ? password : email).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = t('signIn.busy');
    try {
      const login = await post('/api/auth/login', { email: email.value.trim(), password: password.value });
      await onSignedIn(login.member);
    } catch (err) {
      showError(refusals[err.code] ? t(refusals[err.code]) : problemText(err));
      password.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = t('signIn.submit');
    }
  });

  function showError(text) {
    error.textContent = text;
    error.hidden = false;
  }

  const section = h('section', { class: 'signin', 'aria-labelledby': 'signin-heading' },
    h('h1', { id: 'signin-heading' }, t('signIn.heading')),
    h('p', { class: 'lead' }, t('signIn.intro')),
    form);
  main.append(section);
  // Focus before the demo list loads: focusing after it would pull the caret out of a field someone is already typing in.
  email.focus();

  const demo = await fetchDemo();
  if (demo) {
    // The page may have moved on while the list loaded (signed in, or shown again): then this section is no longer shown.
    section.append(h('section', { class: 'demo', 'aria-labelledby': 'demo-heading' },
      h('h2', { id: 'demo-heading' }, t('signIn.demo')),
      h('p', {}, t('signIn.demoPassword', { password: demo.password })),
      h('ul', { class: 'demo-list' }, demo.members.map((m) => h('li', {},
        h('button', {
          type: 'button', class: 'button button-quiet demo-fill', 'aria-describedby': 'demo-heading',
          onclick: () => { email.value = m.email; password.value = demo.password; submit.focus(); },
        }, h('span', {}, m.email), h('span', { class: 'muted' }, m.roles.map((r) => t(`role.${r}`)).join(' · ')))))))); 
  }
}

async function fetchDemo() {
  try { return await get('/api/auth/demo'); } catch { return null; }
}

function field(id, label, input) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), input);
}
