/**
 * What a verifier needs, and nothing of Node (no node:crypto, no Buffer required): the one record
 * verifier with its keyrings and envelopes, the verifiable log's proofs, checkpoints and cosignatures,
 * and a pure-JS strict Ed25519 verify. The web app's in-browser check of an audit bundle imports this
 * entry (`@wastetrail/firmware-protocol/verify`), so it checks exactly what the server and the CLI check.
 */
export * from './encoding.ts';
export * from './record/errors.ts';
export * from './record/record.ts';
export * from './record/envelope.ts';
export * from './identity/keyring.ts';
export * from './log/index.ts';
export type { Ed25519Verify } from './crypto/ed25519.ts';
export { nobleEd25519Verify } from './crypto/ed25519-noble.ts';
