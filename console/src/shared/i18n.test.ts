import { afterEach, describe, expect, it } from 'vitest';

import {
  detectLanguage,
  DICTIONARIES,
  format,
  intlLocale,
  LANGUAGES,
  orList,
  phaseName,
  refused,
  setLanguage,
  statusName,
  t,
  type Dictionary,
  type MessageKey,
} from './i18n.ts';

afterEach(() => setLanguage('en'));

describe('dictionaries', () => {
  it('have the same keys in every language, none empty', () => {
    const english = Object.keys(DICTIONARIES.en).sort();
    for (const { code } of LANGUAGES) {
      const dictionary = DICTIONARIES[code];
      expect(Object.keys(dictionary).sort()).toEqual(english);
      for (const value of Object.values(dictionary)) {
        expect(value.trim()).not.toBe('');
      }
    }
  });

  it('use the same placeholders in every language', () => {
    const names = (text: string) =>
      [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(DICTIONARIES.en) as MessageKey[]) {
      expect(names(DICTIONARIES['es-AR'][key]), key).toEqual(
        names(DICTIONARIES.en[key]),
      );
    }
  });

  it('reject a dictionary missing a key or with an extra one (types)', () => {
    // @ts-expect-error a dictionary must have every key
    const missing: Dictionary = { 'login.submit': 'Log in' };
    const extra: Dictionary = {
      ...DICTIONARIES.en,
      // @ts-expect-error a dictionary may not invent keys
      'no.such.key': 'x',
    };
    expect(missing).toBeDefined();
    expect(extra).toBeDefined();
  });
});

describe('t', () => {
  it('speaks the language in use', () => {
    expect(t('login.submit')).toBe('Log in');
    expect(t('intake.submit')).toBe('Create');
    setLanguage('es-AR');
    expect(t('login.submit')).toBe('Ingresar');
    expect(t('intake.submit')).toBe('Crear');
  });

  it('fills placeholders, repeated or numeric, and leaves unknown ones', () => {
    expect(t('intake.created', { id: 42 })).toBe('Incident #42 created.');
    expect(format('{a}-{a}-{b}', { a: 1 })).toBe('1-1-{b}');
    expect(format('no params')).toBe('no params');
    setLanguage('es-AR');
    expect(t('coverage.summary', { minutes: 3, km: '412', units: 14 })).toBe(
      'Cobertura a 3 min: 412 km de calles, 14 unidades',
    );
  });

  it('prefixes a server refusal, keeping its words', () => {
    expect(refused('unit 3 is not available')).toBe(
      'Refused: unit 3 is not available',
    );
    setLanguage('es-AR');
    expect(refused('unit 3 is not available')).toBe(
      'Rechazado: unit 3 is not available',
    );
  });

  it('names phases and statuses, English matching the server words', () => {
    expect(phaseName('en_route')).toBe('en route');
    expect(phaseName('on_scene')).toBe('on scene');
    expect(statusName('out_of_service')).toBe('out of service');
    setLanguage('es-AR');
    expect(phaseName('dispatched')).toBe('despachado');
    expect(orList(['dispatcher', 'admin'])).toBe('dispatcher o admin');
  });
});

describe('detectLanguage', () => {
  it('keeps a saved choice', () => {
    expect(detectLanguage('es-AR', 'en-US')).toBe('es-AR');
    expect(detectLanguage('en', 'es-AR')).toBe('en');
  });

  it('else takes Spanish for any Spanish browser, English otherwise', () => {
    expect(detectLanguage(null, 'es')).toBe('es-AR');
    expect(detectLanguage(null, 'es-419')).toBe('es-AR');
    expect(detectLanguage('fr', 'ES-es')).toBe('es-AR');
    expect(detectLanguage(null, 'en-US')).toBe('en');
    expect(detectLanguage(null, 'pt-BR')).toBe('en');
    expect(detectLanguage(undefined, undefined)).toBe('en');
  });

  it('maps languages to Intl locales', () => {
    expect(intlLocale('en')).toBe('en-US');
    expect(intlLocale('es-AR')).toBe('es-AR');
  });
});
