// The app's message catalogues, one per language (zh-CN first: the users' language). The choice is
// kept in localStorage.
import { createI18n } from 'vue-i18n';
// The rules' names are the old pages' (one definition); they move here with those pages.
import { MESSAGES as OLD_PAGES } from '../../server/src/web/assets/i18n.js';

export const LOCALES = ['zh-CN', 'en'] as const;
export type AppLocale = (typeof LOCALES)[number];
const KEY = 'wastetrail.lang';

const zh = {
  app: { title: '医废追溯', switchLanguage: 'English', loading: '加载中…', refreshed: '更新于 {time}' },
  login: { needed: '请先登录。', link: '前往登录页' },
  error: { forbidden: '您的角色无权查看城市看板。', failed: '加载失败：{message}' },
  dashboard: {
    title: '城市医废监管看板',
    map: '辖区地图',
    mapNote: '机构按所在区放置，颜色表示未关闭告警',
    sealedToday: '今日封袋 (kg)',
    receivedToday: '今日封袋中已接收 (kg)',
    openAlerts: '未关闭告警',
    byLevel: '按级别',
    byRule: '按规则',
    rule: '规则',
    count: '数量',
    noAlerts: '无未关闭告警',
    institution: '机构',
    unplaced: '未在地图上放置的机构：{names}',
  },
  severity: { critical: '严重', warning: '警告', info: '提示' },
  legend: { none: '无告警', warning: '有警告', critical: '有严重告警' },
};

const en: typeof zh = {
  app: { title: 'wastetrail', switchLanguage: '中文', loading: 'Loading…', refreshed: 'Updated {time}' },
  login: { needed: 'Please sign in first.', link: 'Go to the sign-in page' },
  error: { forbidden: 'Your role may not see the city dashboard.', failed: 'Loading failed: {message}' },
  dashboard: {
    title: 'City medical-waste dashboard',
    map: 'Jurisdiction map',
    mapNote: 'Institutions are placed in their district and coloured by open alerts',
    sealedToday: 'Sealed today (kg)',
    receivedToday: 'Of which received (kg)',
    openAlerts: 'Open alerts',
    byLevel: 'By level',
    byRule: 'By rule',
    rule: 'Rule',
    count: 'Count',
    noAlerts: 'No open alerts',
    institution: 'Institution',
    unplaced: 'Institutions not placed on the map: {names}',
  },
  severity: { critical: 'Critical', warning: 'Warning', info: 'Info' },
  legend: { none: 'No alerts', warning: 'Warnings', critical: 'Critical alerts' },
};

/** The rules' names in one language, by rule id: `rule.<id>` of the old pages' catalogue. */
function ruleNames(catalogue: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(catalogue).filter(([k]) => k.startsWith('rule.')).map(([k, v]) => [k.slice('rule.'.length), v]));
}

/** A rule's name in the current language, or its id for a rule the catalogue does not name. */
export function ruleName(rule: string): string {
  const names = (i18n.global.locale.value === 'en' ? RULES_EN : RULES_ZH) as Record<string, string>;
  return names[rule] ?? rule;
}

const RULES_EN = ruleNames(OLD_PAGES.en);
const RULES_ZH = ruleNames(OLD_PAGES['zh-CN']);

function initialLocale(): AppLocale {
  const saved = localStorage.getItem(KEY);
  return saved === 'en' || saved === 'zh-CN' ? saved : navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export const i18n = createI18n({ legacy: false, locale: initialLocale(), fallbackLocale: 'en', messages: { 'zh-CN': zh, en } });

export function setLocale(locale: AppLocale): void {
  i18n.global.locale.value = locale;
  localStorage.setItem(KEY, locale);
  document.documentElement.lang = locale;
}
