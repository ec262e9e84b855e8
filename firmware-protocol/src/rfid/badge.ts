/**
 * Staff badges are UHF tags read by the same reader as the bags, so every read has to be sorted into
 * "a badge" or "a custody tag" (a bag's, or a turnover box's). The rule is a station setting:
 *
 * - `giai-96` (the default): a badge is a GIAI-96 EPC, optionally only under the listed company prefixes.
 *   GIAI is GS1's identifier for an individual asset, and bags never carry it (they are SGTIN, SSCC or
 *   proprietary; boxes are GRAI), so the default needs no configuration. Badge id:
 *   `giai:<CompanyPrefix>.<AssetReference>`, e.g. `giai:0614141.100742`: the asset reference can be the
 *   staff number printed on the card.
 * - `epc-prefix`: a badge is any EPC starting with the given hex (for badge stock printed with a
 *   proprietary EPC range; an empty or non-hex prefix matches nothing). Badge id: `epc:<lower-case hex>`.
 *
 * docs/devices/rfid.md holds the same convention for people setting up a station.
 */
import { decodeEpc, encodeGiai96 } from '../epc/tds96.ts';
import { tagIdFromEpc } from '../epc/tag-id.ts';
import { fromHex, toHex } from '../encoding.ts';
import { BADGE_ID_PATTERN, type TagId } from '../record/events.ts';

export type BadgeConvention = { scheme: 'giai-96'; companyPrefixes?: readonly string[] } | { scheme: 'epc-prefix'; prefixHex: string };

export const DEFAULT_BADGE_CONVENTION: BadgeConvention = { scheme: 'giai-96' };

export type TagRead =
  | { kind: 'badge'; badgeId: string; epc: Uint8Array }
  /** A bag's or a turnover box's tag, named the way custody records name it. */
  | { kind: 'tag'; tagId: TagId; epc: Uint8Array }
  /** An EPC no record can name (too short or too long), or a badge-range EPC too long for a badge id. */
  | { kind: 'unusable'; epc: Uint8Array; reason: string };

export function classifyTagRead(epc: Uint8Array, convention: BadgeConvention = DEFAULT_BADGE_CONVENTION): TagRead {
  if (isBadgeEpc(epc, convention)) {
    const badgeId = badgeIdFromEpc(epc, convention);
    return badgeId ? { kind: 'badge', badgeId, epc } : { kind: 'unusable', epc, reason: 'a badge EPC too long for a badge id' };
  }
  const tagId = tagIdFromEpc(epc);
  return tagId ? { kind: 'tag', tagId, epc } : { kind: 'unusable', epc, reason: `an EPC of ${epc.length} bytes (a tag id needs 4 to 62)` };
}

export function isBadgeEpc(epc: Uint8Array, convention: BadgeConvention = DEFAULT_BADGE_CONVENTION): boolean {
  if (convention.scheme === 'epc-prefix') {
    // An empty or mistyped prefix must not turn every bag into a badge: it matches nothing.
    const prefix = convention.prefixHex.toLowerCase();
    return /^[0-9a-f]+$/.test(prefix) && toHex(epc).startsWith(prefix);
  }
  const decoded = decodeEpc(epc);
  if (decoded.scheme !== 'giai-96') return false;
  return !convention.companyPrefixes || convention.companyPrefixes.includes(decoded.companyPrefix);
}

/** The badge id of a badge read; undefined when the EPC is not a badge under this convention. */
export function badgeIdFromEpc(epc: Uint8Array, convention: BadgeConvention = DEFAULT_BADGE_CONVENTION): string | undefined {
  if (!isBadgeEpc(epc, convention)) return undefined;
  let id: string;
  if (convention.scheme === 'epc-prefix') id = `epc:${toHex(epc)}`;
  else {
    const decoded = decodeEpc(epc);
    if (decoded.scheme !== 'giai-96') return undefined;
    id = `giai:${decoded.companyPrefix}.${decoded.assetReference}`;
  }
  return BADGE_ID_PATTERN.test(id) ? id : undefined;
}

/**
 * The EPC a badge with this id carries (for simulators, and for writing new badges). `giai:` ids encode
 * as GIAI-96 with filter 0 ("all others"); `epc:` ids are the hex itself.
 */
export function epcFromBadgeId(badgeId: string): Uint8Array | undefined {
  const giai = /^giai:([0-9]{6,12})\.(0|[1-9][0-9]*)$/.exec(badgeId);
  if (giai) {
    const encoded = encodeGiai96({ filter: 0, companyPrefix: giai[1]!, assetReference: giai[2]! });
    return encoded.ok ? encoded.value : undefined;
  }
  const epc = /^epc:((?:[0-9a-f]{2})+)$/.exec(badgeId);
  return epc ? fromHex(epc[1]!) : undefined;
}
