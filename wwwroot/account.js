// The member's own account: change the password. Every other browser and device signed in as this member is
// signed out by it; this page stays signed in.
import { post } from './api.js';
import { announce, h } from './dom.js';
import { formKit, kitForm } from './forms.js';
import { t } from './i18n.js';

const password = (id, autocomplete) => h('input', { id, name: id, type: 'password', autocomplete, required: true, maxlength: '256' });

export async function render({ main }) {
  const current = password('password-current', 'current-password');
  const next = password('password-new', 'new-password');
  const done = h('p', { id: 'password-done', class: 'muted', role: 'status' });
  const form = kitForm({
    kit: formKit([
      { name: 'current', label: t('account.current'), control: current },
      { name: 'new', label: t('account.new'), control: next, hint: t('account.rule') },
    ]),
    submitLabel: t('account.submit'),
    heading: t('account.password'),
    run: async () => {
      done.textContent = '';
      await post('/api/me/password', { current: current.value, new: next.value });
      form.reset();
      done.textContent = t('account.changed');
      announce(t('account.changed'));
    },
  });
  main.append(h('section', { class: 'account-page', 'aria-labelledby': 'account-heading' },
    h('h1', { id: 'account-heading' }, t('account.heading')), h('p', { class: 'lead' }, t('account.intro')), form, done));
}
