/**
 * Witness cosignatures (c2sp.org/tlog-cosignature) of the log's checkpoints: the server accepts a
 * cosigned checkpoint from a configured witness, keeps each witness's line for that size, and serves
 * every checkpoint with the lines it holds. A witness vouches the log showed it no fork or rollback
 * (docs/protocol/log.md, "Witnesses"); the server only checks that the cosignature is real and of a
 * checkpoint it signed.
 */
import { cosignerKeyString, nodeEd25519Verify, parseCheckpoint, parseNote, verifyCosignatures, type LogError, type NoteVerifierKey, type WitnessPolicy } from '@wastetrail/firmware-protocol';
import type { LogStore, SignedCheckpoint } from '../store/index.ts';

export type CosignatureOutcome =
  | { ok: true; size: number; witnesses: string[] }
  | { ok: false; reason: 'invalid'; error: LogError }
  | { ok: false; reason: 'unknown-witness' | 'unknown-checkpoint'; message: string };

/**
 * Keeps the cosignatures in `note` (the log's checkpoint note with witness lines appended) by `witnesses`.
 * The checkpoint text must be that of a checkpoint the log kept; lines by other keys are ignored.
 */
export async function acceptCosignatures(store: LogStore, witnesses: readonly NoteVerifierKey[], note: string, now: () => number): Promise<CosignatureOutcome> {
  const verified = verifyCosignatures(note, witnesses, nodeEd25519Verify);
  if (!verified.ok) return { ok: false, reason: 'invalid', error: verified.error };
  const { text, cosignatures } = verified.value;
  if (cosignatures.length === 0) {
    return { ok: false, reason: 'unknown-witness', message: `no cosignature by a witness this log accepts (verifiableLog.witnesses: ${witnesses.map((w) => w.name).join(', ') || 'none'})` };
  }
  const checkpoint = parseCheckpoint(text);
  if (!checkpoint.ok) return { ok: false, reason: 'invalid', error: checkpoint.error };
  const kept = await store.checkpointOf(checkpoint.value.size);
  if (!kept || noteText(kept.note) !== text) {
    return { ok: false, reason: 'unknown-checkpoint', message: `this log signed no such checkpoint of ${checkpoint.value.size} leaves: a cosignature is of a checkpoint served at /log/v1/checkpoint` };
  }
  const addedAt = new Date(now()).toISOString();
  for (const c of cosignatures) await store.addCosignature({ size: kept.size, witness: cosignerKeyString(c.witness), line: c.line, addedAt });
  return { ok: true, size: kept.size, witnesses: cosignatures.map((c) => c.witness.name) };
}

export interface ProvingCheckpoint {
  readonly checkpoint: SignedCheckpoint;
  /** The log's note with the kept cosignature lines of the configured witnesses (no one else's). */
  readonly note: string;
  /** Names of the configured witnesses that cosigned it. */
  readonly cosignedBy: string[];
  readonly quorum: number;
  /** At least `quorum` configured witnesses cosigned it. */
  readonly quorumMet: boolean;
}

/**
 * The checkpoint audit bundles prove their records in: the newest one cosigned by at least `quorum` of
 * the configured witnesses; with quorum 0, or while none is, the newest one (a verifier that asks for the
 * quorum then refuses it: QUORUM_NOT_MET says the log's latest word is not witnessed yet). Lines of
 * witnesses no longer configured are left out, so the bundle verifies with today's witness list.
 */
export async function provingCheckpoint(store: LogStore, policy: WitnessPolicy): Promise<ProvingCheckpoint | undefined> {
  const keys = policy.witnesses.map((w) => cosignerKeyString(w));
  const cosigned = policy.quorum > 0 ? await store.latestCheckpointCosignedBy(keys, policy.quorum) : undefined;
  const checkpoint = cosigned ?? (await store.latestCheckpoint());
  if (!checkpoint) return undefined;
  const lines = (await store.cosignaturesOf(checkpoint.size)).filter((c) => keys.includes(c.witness));
  const names = lines.map((c) => policy.witnesses[keys.indexOf(c.witness)]!.name);
  return { checkpoint, note: checkpoint.note + lines.map((c) => c.line).join(''), cosignedBy: names, quorum: policy.quorum, quorumMet: lines.length >= policy.quorum };
}

/** The checkpoint's note as served: the log's signature, then each kept cosignature line. */
export async function cosignedNote(store: LogStore, checkpoint: SignedCheckpoint): Promise<string> {
  const lines = await store.cosignaturesOf(checkpoint.size);
  return checkpoint.note + lines.map((c) => c.line).join('');
}

function noteText(note: string): string | undefined {
  const parsed = parseNote(note);
  return parsed.ok ? parsed.value.text : undefined;
}
