/**
 * The payload of the QR code printed on a bag label. No national format exists (卫生部令第36号 asks for
 * producing unit, date and category on the label, and no more), so this one is ours:
 *
 *     WT1.<institution>.<department>.<category><yymmdd>.<serial><check>
 *     WT1.H330106.ONC.I250314.42R
 *
 * - `WT` marks a wastetrail label, `1` is the format version: a reader refuses versions it does not know.
 * - institution: 1-18 of 0-9 A-Z (an 18-character unified social credit code fits);
 *   department: 1-10 of 0-9 A-Z; category: one letter (WASTE_CATEGORY_LETTERS); date: 20yy-mm-dd;
 *   serial: 1-8 digits, unique per institution, department and day (leading zeros are kept and are part
 *   of the label: 042 and 42 are two labels).
 * - the last character is the check character (check-character.ts): any single mistyped character and
 *   any swap of neighbours is refused.
 * Upper-case letters, digits, '.' and '*' only: every character is in QR alphanumeric mode (5.5 bits
 * each instead of 8), and a label is at most 51 characters, a version 3 QR code at level M. The payload
 * is printable ASCII without spaces, so `qr:<payload>` is a valid custody tag id as it stands.
 * docs/protocol/label.md has worked examples.
 */
import type { Result } from '../record/errors.ts';
import { TAG_ID_PATTERN, WASTE_CATEGORIES, type TagId, type WasteCategory } from '../record/events.ts';
import { isLabelCheckCharacter, isLabelDataCharacter, labelCheckCharacter } from './check-character.ts';

export const BAG_LABEL_PREFIX = 'WT';
export const BAG_LABEL_VERSION = '1';
export const BAG_LABEL_MAX_LENGTH = 51;

/** I infectious, S sharps, P pathological, D pharmaceutical ("drug"), C chemical. */
export const WASTE_CATEGORY_LETTERS: Readonly<Record<WasteCategory, string>> = {
  infectious: 'I',
  sharps: 'S',
  pathological: 'P',
  pharmaceutical: 'D',
  chemical: 'C',
};
const CATEGORY_BY_LETTER = new Map<string, WasteCategory>(WASTE_CATEGORIES.map((c) => [WASTE_CATEGORY_LETTERS[c], c]));

export interface BagLabel {
  institution: string;
  department: string;
  category: WasteCategory;
  /** YYYY-MM-DD, 2000-01-01 to 2099-12-31: the day the bag was opened on the ward. */
  date: string;
  serial: string;
}

export const BAG_LABEL_ERROR_CODES = ['NOT_A_LABEL', 'UNKNOWN_VERSION', 'BAD_CHARACTER', 'BAD_CHECK', 'BAD_FIELD'] as const;
export type BagLabelErrorCode = (typeof BAG_LABEL_ERROR_CODES)[number];

export interface BagLabelError {
  code: BagLabelErrorCode;
  message: string;
  field?: keyof BagLabel;
  /** Index of the offending character, for BAD_CHARACTER. */
  position?: number;
}

const INSTITUTION = /^[0-9A-Z]{1,18}$/;
const DEPARTMENT = /^[0-9A-Z]{1,10}$/;
const SERIAL = /^[0-9]{1,8}$/;
const ISO_DATE = /^20([0-9]{2})-([0-9]{2})-([0-9]{2})$/;

function fail(code: BagLabelErrorCode, message: string, extra: Omit<BagLabelError, 'code' | 'message'> = {}): { ok: false; error: BagLabelError } {
  return { ok: false, error: { code, message, ...extra } };
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function checkFields(label: BagLabel): Result<{ yymmdd: string }, BagLabelError> {
  if (typeof label.institution !== 'string' || !INSTITUTION.test(label.institution)) {
    return fail('BAD_FIELD', 'institution must be 1-18 characters of 0-9 and A-Z', { field: 'institution' });
  }
  if (typeof label.department !== 'string' || !DEPARTMENT.test(label.department)) {
    return fail('BAD_FIELD', 'department must be 1-10 characters of 0-9 and A-Z', { field: 'department' });
  }
  if (!(WASTE_CATEGORIES as readonly string[]).includes(label.category)) {
    return fail('BAD_FIELD', `category must be one of ${WASTE_CATEGORIES.join(', ')}`, { field: 'category' });
  }
  const date = typeof label.date === 'string' ? ISO_DATE.exec(label.date) : null;
  if (!date || !isCalendarDate(2000 + Number(date[1]), Number(date[2]), Number(date[3]))) {
    return fail('BAD_FIELD', 'date must be a calendar day from 2000-01-01 to 2099-12-31 as YYYY-MM-DD', { field: 'date' });
  }
  if (typeof label.serial !== 'string' || !SERIAL.test(label.serial)) {
    return fail('BAD_FIELD', 'serial must be 1-8 digits', { field: 'serial' });
  }
  return { ok: true, value: { yymmdd: `${date[1]}${date[2]}${date[3]}` } };
}

export function encodeBagLabel(label: BagLabel): Result<string, BagLabelError> {
  const fields = checkFields(label);
  if (!fields.ok) return fields;
  const letter = WASTE_CATEGORY_LETTERS[label.category];
  const data = `${BAG_LABEL_PREFIX}${BAG_LABEL_VERSION}.${label.institution}.${label.department}.${letter}${fields.value.yymmdd}.${label.serial}`;
  return { ok: true, value: data + labelCheckCharacter(data)! };
}

export function decodeBagLabel(payload: string): Result<BagLabel, BagLabelError> {
  if (typeof payload !== 'string' || !payload.startsWith(BAG_LABEL_PREFIX) || payload.length > 200) {
    return fail('NOT_A_LABEL', 'not a wastetrail bag label (it starts with WT)');
  }
  const version = payload[2];
  if (version !== BAG_LABEL_VERSION) {
    if (version !== undefined && /^[0-9A-Z]$/.test(version) && payload[3] === '.') {
      return fail('UNKNOWN_VERSION', `label format version ${version} is not known to this software`);
    }
    return fail('NOT_A_LABEL', 'not a wastetrail bag label (WT, a version character and a dot)');
  }
  if (payload.length > BAG_LABEL_MAX_LENGTH) return fail('NOT_A_LABEL', `a version 1 label has at most ${BAG_LABEL_MAX_LENGTH} characters`);
  for (let i = 0; i < payload.length - 1; i++) {
    if (!isLabelDataCharacter(payload[i]!)) return fail('BAD_CHARACTER', `character ${i + 1} is not one of 0-9, A-Z and '.'`, { position: i });
  }
  const last = payload.length - 1;
  if (!isLabelCheckCharacter(payload[last]!)) return fail('BAD_CHARACTER', `the check character is not one of 0-9, A-Z and '*'`, { position: last });
  const data = payload.slice(0, last);
  if (labelCheckCharacter(data) !== payload[last]) return fail('BAD_CHECK', 'the check character does not match: a character is wrong or two are swapped');

  const parts = data.split('.');
  if (parts.length !== 5) return fail('BAD_FIELD', 'a version 1 label has five dot-separated parts');
  const [, institution, department, categoryAndDate, serial] = parts as [string, string, string, string, string];
  const category = CATEGORY_BY_LETTER.get(categoryAndDate.slice(0, 1));
  if (!category) return fail('BAD_FIELD', 'unknown category letter', { field: 'category' });
  if (!/^[0-9]{6}$/.test(categoryAndDate.slice(1))) return fail('BAD_FIELD', 'the date is six digits, yymmdd', { field: 'date' });
  const date = `20${categoryAndDate.slice(1, 3)}-${categoryAndDate.slice(3, 5)}-${categoryAndDate.slice(5, 7)}`;
  const label: BagLabel = { institution, department, category, date, serial };
  const fields = checkFields(label);
  return fields.ok ? { ok: true, value: label } : fields;
}

/** The custody tag id of a scanned label: `qr:` + the payload exactly as scanned, once it decodes. */
export function tagIdFromBagLabel(payload: string): Result<TagId, BagLabelError> {
  const decoded = decodeBagLabel(payload);
  if (!decoded.ok) return decoded;
  const id = `qr:${payload}`;
  return TAG_ID_PATTERN.test(id) ? { ok: true, value: id } : fail('NOT_A_LABEL', 'the payload cannot be a tag id');
}
