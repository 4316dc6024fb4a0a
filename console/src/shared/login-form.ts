import { login, type Session } from './auth.ts';
import { el } from './dom.ts';
import type { Role } from './types.ts';

/** Test ids and wording of one app's login form. */
export interface LoginFormOptions {
  title: string;
  allowed: readonly Role[];
  testIds: { username: string; password: string; submit: string };
  onLoggedIn: (session: Session) => void;
}

/**
 * A login form: username, password, submit, and one error line showing
 * the server's message (bad credentials, rate limit) or a refused role.
 */
export function loginForm(options: LoginFormOptions): HTMLFormElement {
  const username = el('input', {
    testId: options.testIds.username,
    attrs: { name: 'username', autocomplete: 'username', required: '' },
  });
  const password = el('input', {
    testId: options.testIds.password,
    attrs: {
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: '',
    },
  });
  const submit = el('button', {
    testId: options.testIds.submit,
    text: 'Log in',
    attrs: { type: 'submit' },
  });
  const error = el('p', {
    className: 'error',
    testId: 'login-error',
    attrs: { role: 'alert' },
  });
  const form = el('form', { className: 'login' }, [
    el('h1', { text: options.title }),
    el('label', {}, ['User', username]),
    el('label', {}, ['Password', password]),
    submit,
    error,
  ]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    submit.disabled = true;
    login(username.value.trim(), password.value, options.allowed)
      .then((session) => options.onLoggedIn(session))
      .catch((err: unknown) => {
        error.textContent = err instanceof Error ? err.message : String(err);
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  return form;
}
