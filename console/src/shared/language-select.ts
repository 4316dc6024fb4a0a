import { el } from './dom.ts';
import {
  detectLanguage,
  LANGUAGE_STORAGE_KEY,
  LANGUAGES,
  language,
  onLanguageChange,
  setLanguage,
  t,
  type Language,
} from './i18n.ts';

function readSaved(): string | null {
  try {
    return localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    return null;
  }
}

/**
 * Picks the starting language (saved choice, else the browser's) and
 * keeps `<html lang>` and the page title in step with it.
 * @param title the page title, rendered in the language in use
 */
export function initLanguage(title: () => string): void {
  setLanguage(detectLanguage(readSaved(), navigator.language));
  const paint = () => {
    document.documentElement.lang = language();
    document.title = title();
  };
  paint();
  onLanguageChange(paint);
}

/**
 * The language switch (`data-testid="language"`); the choice is saved in
 * localStorage, so it holds across reloads and for both screens.
 */
export function languageSelect(): HTMLElement {
  const select = el(
    'select',
    {
      className: 'language',
      testId: 'language',
      attrs: { 'aria-label': () => t('language.label') },
    },
    LANGUAGES.map(({ code, name }) =>
      el('option', { text: name, attrs: { value: code, lang: code } }),
    ),
  );
  select.value = language();
  select.addEventListener('change', () => {
    const next = select.value as Language;
    try {
      localStorage.setItem(LANGUAGE_STORAGE_KEY, next);
    } catch {
      // Private mode without storage: the switch still holds for this page.
    }
    setLanguage(next);
  });
  onLanguageChange((next) => {
    select.value = next;
  });
  return select;
}
