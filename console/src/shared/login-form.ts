import { ApiError } from './api.ts';
import { login, RoleRefusedError, type Session } from './auth.ts';
import { el, setText, type Text } from './dom.ts';
import { orList, refused, t } from './i18n.ts';
import { languageSelect } from './language-select.ts';
import type { Role } from './types.ts';

/** Test ids and wording of one app's login form. */
export interface LoginFormOptions {
  title: Text;
  allowed: readonly Role[];
  /** Defaults to the dispatcher console's and planner's ids. */
  testIds?: { username: string; password: string; submit: string };
  onLoggedIn: (session: Session) => void;
  /** A notice shown in the error line at once (e.g. why a session ended). */
  notice?: Text;
}

/**
 * The words of a failed login: the server's message behind "Refused:",
 * or the screen's own words for a role that may not use it.
 */
export function loginErrorText(err: unknown): Text {
  if (err instanceof RoleRefusedError) {
    return () =>
      t('login.wrongRole', {
        user: err.username,
        role: err.role,
        allowed: orList(err.allowed),
      });
  }
  const message = err instanceof Error ? err.message : String(err);
  return err instanceof ApiError ? () => refused(message) : message;
}

const DEFAULT_TEST_IDS = {
  username: 'login-username',
  password: 'login-password',
  submit: 'login-submit',
};

/**
 * A login form: username, password, submit, and one error line showing
 * the server's message (bad credentials, rate limit) or a refused role;
 * the language switch sits above it.
 */
export function loginForm(options: LoginFormOptions): HTMLFormElement {
  const testIds = options.testIds ?? DEFAULT_TEST_IDS;
  const username = el('input', {
    testId: testIds.username,
    attrs: { name: 'username', autocomplete: 'username', required: '' },
  });
  const password = el('input', {
    testId: testIds.password,
    attrs: {
      name: 'password',
      type: 'password',
      autocomplete: 'current-password',
      required: '',
    },
  });
  const submit = el('button', {
    testId: testIds.submit,
    text: () => t('login.submit'),
    attrs: { type: 'submit' },
  });
  const error = el('p', {
    className: 'error',
    testId: 'login-error',
    attrs: { role: 'alert' },
  });
  if (options.notice) setText(error, options.notice);
  const form = el('form', { className: 'login' }, [
    el('div', { className: 'login-language' }, [languageSelect()]),
    el('h1', { text: options.title }),
    el('label', {}, [() => t('login.user'), username]),
    el('label', {}, [() => t('login.password'), password]),
    submit,
    error,
  ]);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    setText(error, '');
    submit.disabled = true;
    login(username.value.trim(), password.value, options.allowed)
      .then((session) => options.onLoggedIn(session))
      .catch((err: unknown) => setText(error, loginErrorText(err)))
      .finally(() => {
        submit.disabled = false;
      });
  });
  return form;
}
