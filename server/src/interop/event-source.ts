/**
 * The EPCIS events of stored records, with what the pure mapper needs from the store: where each device
 * stands (the keyring) and, for a correction, the record it targets.
 */
import type { CustodyStore, DeviceRegistration, StoredRecord } from '../store/index.ts';
import { epcisEventsOf, type EpcisEvent, type EpcisPlace } from './epcis.ts';

/** Where each registered device stands: its institution and site. */
export function placesOf(devices: readonly DeviceRegistration[]): Map<string, EpcisPlace> {
  return new Map(devices.map((d) => [d.id, { institution: d.institution, ...(d.site !== undefined ? { site: d.site } : {}) }]));
}

/**
 * A record's events. A correction repeats its target's event (the error declaration): `visibleDevice`
 * says whether the asker may see the target's device, else the correction gives none.
 */
export async function storedRecordEvents(store: Pick<CustodyStore, 'recordAt'>, r: StoredRecord, places: ReadonlyMap<string, EpcisPlace>, timeZone: string, visibleDevice: (device: string) => boolean = () => true): Promise<EpcisEvent[]> {
  let target: StoredRecord | undefined;
  if (r.type === 'correction') {
    const t = (r.body as { target: { device: string; seq: number } }).target;
    if (!visibleDevice(t.device)) return [];
    target = await store.recordAt(t.device, t.seq);
  }
  return epcisEventsOf(r, { placeOf: (d) => places.get(d), timeZone, ...(target ? { target } : {}) });
}
