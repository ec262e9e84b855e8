/**
 * The scripted incidents and misconduct a city can play, each optional and named. Each is placed
 * relative to the start of a run (so a restarted demo shows them again) and chosen with the seed, so
 * the same seed gives the same incident at the same station.
 */
export const INCIDENTS = ['network-outage', 'overdue-storage', 'skimmed-weights', 'dumped-bag', 'cloned-tag', 'tampered-record', 'rogue-device', 'cold-room-failure', 'partial-refusal', 'dump-detour', 'scrapyard-stop'] as const;
export type IncidentName = (typeof INCIDENTS)[number];

/** What each shows, and where to see it (docs/demo.md says the same at length). */
export const INCIDENT_DESCRIPTIONS: Readonly<Record<IncidentName, string>> = {
  'network-outage': "one station loses its network for three hours; it keeps sealing into its outbox and the backlog drains when it is back (device-silent alert, then nothing lost)",
  'overdue-storage': 'one hospital stops handing waste over for two and a half days (storage-overdue warning at 36 h, critical at 48 h; collection-overdue)',
  'skimmed-weights': 'the transport crew takes about 15 % out of one bag between pickup and disposal (weight-discrepancy alert on the bag)',
  'dumped-bag': 'one bag is picked up and never arrives at the disposal centre (missing-in-transit alert after 24 h)',
  'cloned-tag': 'the tag of a bag sealed at one hospital is sealed again at another a few minutes later (cloned-tag alert)',
  'tampered-record': "a copy of one station's record with its weight changed after signing is published on that station's topic (quarantined BAD_SIGNATURE, integrity alert)",
  'rogue-device': 'a device that is not in the keyring tries to connect and publish (refused by the gateway: unknown device)',
  'cold-room-failure': "one hospital's cold room fails from 19:00 to 07:00 after a hot day and warms to about 24.5 °C while the bags stored at 17:15 wait overnight (storage-climate alert: the 25/20 °C rule)",
  'partial-refusal': 'the disposal centre refuses one leaking bag of a delivery and closes the transfer manifest with the rest (manifest-discrepancy alert: a refusal)',
  'dump-detour': "after its first call of the day, one vehicle leaves its route for the dump site east of the city and opens its cargo door there, then goes on with its round (route-deviation, door-opened and abnormal-stop alerts at the dump)",
  'scrapyard-stop': 'after its first call of the day, one vehicle parks 40 minutes at the scrapyard, then goes on (abnormal-stop alert at the scrapyard)',
};

export function isIncidentName(s: string): s is IncidentName {
  return (INCIDENTS as readonly string[]).includes(s);
}

/**
 * Reads "a,b,c", "all" or "none" (case and spaces ignored). Throws RangeError naming the unknown ones.
 */
export function parseIncidentList(text: string): IncidentName[] {
  const words = text
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter((w) => w.length > 0);
  if (words.length === 1 && words[0] === 'all') return [...INCIDENTS];
  if (words.length === 0 || (words.length === 1 && words[0] === 'none')) return [];
  const unknown = words.filter((w) => !isIncidentName(w));
  if (unknown.length > 0) throw new RangeError(`unknown incident ${unknown.map((u) => `"${u}"`).join(', ')}; the incidents are ${INCIDENTS.join(', ')} (or "all", "none")`);
  return INCIDENTS.filter((i) => words.includes(i));
}
