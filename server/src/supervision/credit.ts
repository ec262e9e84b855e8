/**
 * An institution's credit: bad-practice points of confirmed violations in a rolling window, plus a
 * capped term for its alert rate, make a score; thresholds on the score make the risk class A (low
 * risk) to D (high), and the class sets inspections per year and the weight in the inspection draw.
 * Pure: the store supplies the counts. docs/server/supervision.md#risk-classes.
 */
import type { RiskClass, SupervisionSettings } from './settings.ts';

export interface CreditInputs {
  /** Points of the violations confirmed in the points window. */
  points: number;
  /** Alerts opened for the institution in the alert window. */
  alerts: number;
  /** Bags it sealed in the alert window (voided bags left out). */
  bagsSealed: number;
}

export interface Risk {
  alertRate: { alerts: number; bagsSealed: number; per1000Bags: number };
  score: number;
  riskClass: RiskClass;
  inspectionsPerYear: number;
  drawWeight: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

export function riskOf(inputs: CreditInputs, s: SupervisionSettings): Risk {
  const per1000Bags = round2((inputs.alerts * 1000) / Math.max(inputs.bagsSealed, s.minBagsForRate));
  const alertTerm = Math.min(s.alertTermCap, per1000Bags * s.alertPointsPer1000Bags);
  const score = round2(inputs.points + alertTerm);
  const riskClass = classOfScore(score, s);
  return {
    alertRate: { alerts: inputs.alerts, bagsSealed: inputs.bagsSealed, per1000Bags },
    score,
    riskClass,
    inspectionsPerYear: s.inspectionsPerYear[riskClass],
    drawWeight: s.drawWeights[riskClass],
  };
}

export function classOfScore(score: number, s: SupervisionSettings): RiskClass {
  const t = s.classThresholds;
  return score >= t.D ? 'D' : score >= t.C ? 'C' : score >= t.B ? 'B' : 'A';
}

/** The formula with the configured numbers, as the credit API returns it. */
export function creditFormula(s: SupervisionSettings): { en: string; zh: string } {
  const t = s.classThresholds;
  const per = (k: 'inspectionsPerYear' | 'drawWeights') => `A ${s[k].A}, B ${s[k].B}, C ${s[k].C}, D ${s[k].D}`;
  return {
    en:
      `score = points of violations confirmed in the last ${s.pointsWindowDays} days + min(${s.alertTermCap}, ${s.alertPointsPer1000Bags} × alerts per 1000 bags), ` +
      `where alerts per 1000 bags = 1000 × alerts opened in the last ${s.alertWindowDays} days ÷ max(bags sealed in those days, ${s.minBagsForRate}). ` +
      `Class A below ${t.B}, B from ${t.B}, C from ${t.C}, D from ${t.D}. Inspections per year: ${per('inspectionsPerYear')}; draw weight: ${per('drawWeights')}.`,
    zh:
      `风险分值 = 近${s.pointsWindowDays}天内确认违规的记分 + min(${s.alertTermCap}, ${s.alertPointsPer1000Bags} × 每千袋预警数)，` +
      `每千袋预警数 = 1000 × 近${s.alertWindowDays}天预警数 ÷ max(同期封袋数, ${s.minBagsForRate})。` +
      `分值低于${t.B}为A类，${t.B}及以上为B类，${t.C}及以上为C类，${t.D}及以上为D类。每年检查次数：${per('inspectionsPerYear')}；抽查权重：${per('drawWeights')}。`,
  };
}
