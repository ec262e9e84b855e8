/**
 * The keyring and what each device last reported (DeviceStore). Revoking a key reads the device's keys
 * and writes them back in one transaction, each dialect its own way (`revoke`, with revokedKeys below).
 */
import { asc, eq } from 'drizzle-orm';
import { fromBase64, KEYRING_FORMAT, keyId, keyringToJson, parseKeyring, type StationRole } from '@wastetrail/firmware-protocol';
import type { DeviceRegistration, DeviceStatusPatch, DeviceStore } from '../repository.ts';
import { ReadCache } from '../read-cache.ts';
import type { Queries } from './context.ts';

/** What revokeDeviceKey does in the dialect's transaction: false when the device or key is unknown. */
export type RevokeKey = (device: string, kid: string, at: string) => Promise<boolean>;

export function deviceQueries({ db, t }: Queries, revoke: RevokeKey): DeviceStore {
  const keyringCache = new ReadCache(async () => {
    const parsed = parseKeyring(await exportKeyring());
    if (!parsed.ok) throw new Error(`the stored keyring is invalid: ${parsed.error.message}`);
    return parsed.value;
  });

  async function devices(): Promise<DeviceRegistration[]> {
    const rows = await db.select().from(t.devices).orderBy(asc(t.devices.id));
    return rows.map((d) => ({
      id: d.id,
      institution: d.institution,
      stations: d.stations as StationRole[],
      ...(d.site !== null ? { site: d.site } : {}),
      keys: d.keys,
    }));
  }

  async function exportKeyring(): Promise<unknown> {
    const entries: Record<string, unknown> = {};
    for (const d of await devices()) entries[d.id] = registrationJson(d);
    // Round-trip through the parser so the export is exactly what keyringToJson writes.
    const parsed = parseKeyring({ format: KEYRING_FORMAT, devices: entries });
    if (!parsed.ok) throw new Error(`the stored keyring is invalid: ${parsed.error.message}`);
    return keyringToJson(parsed.value);
  }

  return {
    async registerDevice(d) {
      // The keyring parser is the one definition of a valid device entry: refuse what it would refuse.
      const checked = parseKeyring({ format: KEYRING_FORMAT, devices: { [d.id]: registrationJson(d) } });
      if (!checked.ok) throw new TypeError(`cannot register device ${d.id}: ${checked.error.message}`);
      const row = { institution: d.institution, stations: [...d.stations], site: d.site ?? null, keys: d.keys.map((k) => ({ ...k })) };
      await db
        .insert(t.devices)
        .values({ id: d.id, ...row, createdAt: new Date().toISOString() })
        .onConflictDoUpdate({ target: t.devices.id, set: row });
      keyringCache.invalidate();
    },

    async revokeDeviceKey(device, kid, at) {
      const found = await revoke(device, kid, at);
      // After the commit: a read in between would otherwise keep the key unrevoked.
      if (found) keyringCache.invalidate();
      return found;
    },

    devices,

    keyring() {
      return keyringCache.get();
    },

    exportKeyring,

    async upsertDeviceStatus(device, patch) {
      const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as DeviceStatusPatch;
      if (Object.keys(set).length === 0) {
        await db.insert(t.deviceStatus).values({ device }).onConflictDoNothing();
        return;
      }
      await db.insert(t.deviceStatus).values({ device, ...set }).onConflictDoUpdate({ target: t.deviceStatus.device, set });
    },

    async deviceStatus(device) {
      const [row] = await db.select().from(t.deviceStatus).where(eq(t.deviceStatus.device, device));
      return row;
    },

    async deviceStatuses() {
      return db.select().from(t.deviceStatus).orderBy(asc(t.deviceStatus.device));
    },
  };
}

/** A device's keys with key `kid` revoked from `at` on (an earlier revocation stays); undefined when it has no such key. */
export function revokedKeys(keys: DeviceRegistration['keys'], kid: string, at: string): DeviceRegistration['keys'] | undefined {
  let found = false;
  const revoked = keys.map((k) => {
    const spki = fromBase64(k.publicKey);
    if (!spki || keyId(spki) !== kid) return k;
    found = true;
    return { ...k, revokedAt: k.revokedAt !== undefined && k.revokedAt < at ? k.revokedAt : at };
  });
  return found ? revoked : undefined;
}

/** A device's keyring entry as stored (the keyring JSON's per-device object). */
export function registrationJson(d: DeviceRegistration): unknown {
  return {
    institution: d.institution,
    stations: d.stations,
    ...(d.site !== undefined ? { site: d.site } : {}),
    keys: d.keys.map((k) => ({ publicKey: k.publicKey, ...(k.revokedAt !== undefined ? { revokedAt: k.revokedAt } : {}) })),
  };
}
