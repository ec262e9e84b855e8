// The staff registry page's pure parts: filtering and counting the entries the API gives.
import type { Answer } from './api.ts';

export type StaffEntry = Answer<'/api/v1/institutions/{id}/staff'>['staff'][number];
export type StaffRole = StaffEntry['role'];
export const STAFF_ROLES: readonly StaffRole[] = ['staff', 'collector', 'keeper', 'crew', 'operator'];

/** The entries whose name or badge contains `text` (case-insensitive; blank: all). */
export function filterStaff(entries: readonly StaffEntry[], text: string): StaffEntry[] {
  const q = text.trim().toLowerCase();
  return q === '' ? [...entries] : entries.filter((e) => e.name.toLowerCase().includes(q) || e.badge.toLowerCase().includes(q));
}

export function staffCounts(entries: readonly StaffEntry[]): { total: number; active: number } {
  return { total: entries.length, active: entries.filter((e) => e.active).length };
}

/** The accounts that keep their own registry: the institution's own (the regulator only reads). */
export const keepsRegistry = (role: string): boolean => role === 'institution_admin' || role === 'transport' || role === 'disposal';
