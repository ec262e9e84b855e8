// The app's message catalogues, one per language (locales/<lang>/index.ts; zh-CN first: the users'
// language). The choice is kept in localStorage (`wt-lang`) and a `wt_lang` cookie; without one, a
// browser whose first language is Chinese gets zh-CN, any other English.
import { createI18n } from 'vue-i18n';
import en from './locales/en/index.ts';
import zh from './locales/zh-CN/index.ts';

export const LOCALES = ['zh-CN', 'en'] as const;
export type AppLocale = (typeof LOCALES)[number];
export type Catalogue = typeof zh;
const KEY = 'wt-lang';

function initialLocale(): AppLocale {
  const saved = localStorage.getItem(KEY);
  return saved === 'en' || saved === 'zh-CN' ? saved : navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export const i18n = createI18n<[Catalogue], AppLocale, false>({ legacy: false, locale: initialLocale(), fallbackLocale: 'en', messages: { 'zh-CN': zh, en } });

/** The current language, as the API's `lang` parameter takes it. */
export const currentLocale = (): AppLocale => i18n.global.locale.value;

export function setLocale(locale: AppLocale): void {
  i18n.global.locale.value = locale;
  localStorage.setItem(KEY, locale);
  document.cookie = `wt_lang=${locale}; path=/; SameSite=Strict; max-age=31536000`;
  document.documentElement.lang = locale;
}

/** A rule's name in the current language, or its id for a rule the catalogue does not name. */
export function ruleName(rule: string): string {
  const key = `rule.${rule}`;
  return i18n.global.te(key) ? i18n.global.t(key) : rule;
}

/** An API error code as a sentence in the current language (`errors.<CODE>`), or the generic one naming the code. */
export function errorText(code: string): string {
  const key = `errors.${code}`;
  return i18n.global.te(key) ? i18n.global.t(key) : i18n.global.t('errors.UNKNOWN', { code });
}
