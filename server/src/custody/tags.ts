import type { CustodyEvent } from '@wastetrail/firmware-protocol';

/** Every tag id a record names: what the store indexes so a bag's records can be found by any tag. */
export function tagsOfEvent(event: CustodyEvent): string[] {
  switch (event.type) {
    case 'sealed':
      return [...event.body.tags];
    case 'collected':
    case 'stored':
    case 'picked-up':
    case 'received':
      return event.body.bags.map((b) => b.tag);
    case 'disposed':
      return [...event.body.bags];
    case 'aggregated':
      return [event.body.box, ...event.body.bags];
    case 'correction':
    case 'heartbeat':
    case 'climate':
    // A manifest is found by its number; the bags' own custody records name the tags.
    case 'manifest-issued':
    case 'manifest-received':
    case 'manifest-closed':
    case 'track':
    case 'door':
      return [];
  }
}
