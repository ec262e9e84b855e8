/**
 * A QR scan as a station input: one of our bag labels (docs/protocol/label.md) becomes a bag tag with
 * the category printed on it; anything else is a refusal naming why. Pure: the tag's history at this
 * station is looked up by the caller.
 */
import { decodeBagLabel, tagIdFromBagLabel, type EventType, type TagId } from '@wastetrail/firmware-protocol';
import type { StationInput } from './workflow.ts';

/** A QR scan as a station input: one of our bag labels (with its category), or a refusal. */
export function qrInput(payload: string, history: (tagId: TagId) => readonly EventType[]): StationInput {
  const tag = tagIdFromBagLabel(payload);
  if (!tag.ok) return { kind: 'unreadable-label', reason: tag.error.code };
  const label = decodeBagLabel(payload);
  return { kind: 'tag', tagId: tag.value, source: 'qr', history: history(tag.value), ...(label.ok ? { labelCategory: label.value.category } : {}) };
}
