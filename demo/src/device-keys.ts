/**
 * Keys of the demo's stations: generated once under DATA/devices/<device>/ (device.key, mode 0600) and
 * kept, so a restarted demo signs with the same keys and each agent's outbox continues its chain; every
 * station is registered in the store (adding its key to those already there), then the keyring is
 * reloaded into ingest and the gateway.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateDeviceKey, loadDeviceSigner, PRIVATE_KEY_FILE } from '@wastetrail/edge-agent';
import { toBase64, type Ed25519Signer } from '@wastetrail/firmware-protocol';
import type { StationPlan } from '@wastetrail/simulators';
import type { CustodyStore } from '@wastetrail/server';

export interface StationKey {
  keyFile: string;
  signer: Ed25519Signer;
}

export async function provisionStations(store: Pick<CustodyStore, 'devices' | 'registerDevice'>, stations: readonly StationPlan[], devicesDir: string): Promise<Map<string, StationKey>> {
  const keys = new Map<string, StationKey>();
  const registered = new Map((await store.devices()).map((d) => [d.id, d]));
  for (const s of stations) {
    const dir = join(devicesDir, s.deviceId);
    const keyFile = join(dir, PRIVATE_KEY_FILE);
    if (!existsSync(keyFile)) generateDeviceKey(dir);
    const signer = loadDeviceSigner(keyFile);
    keys.set(s.deviceId, { keyFile, signer });
    const publicKey = toBase64(signer.publicKeySpki);
    const known = registered.get(s.deviceId);
    const site = s.site ?? s.department;
    if (known?.keys.some((k) => k.publicKey === publicKey) && known.institution === s.institution) continue;
    await store.registerDevice({
      id: s.deviceId,
      institution: s.institution,
      stations: [s.role],
      ...(site ? { site } : {}),
      // Older keys stay, so the records they signed still verify.
      keys: [...(known?.keys ?? []), { publicKey }],
    });
  }
  return keys;
}
