// The byte formats every device emits and the one definition of a valid record.
export * from './encoding.ts';
export * from './time.ts';
export * from './crypto/sha256.ts';
export * from './crypto/ed25519.ts';
export * from './identity/keyring.ts';
export * from './record/errors.ts';
export * from './record/canonical.ts';
export * from './record/schema.ts';
export * from './record/events.ts';
export * from './record/record.ts';
export * from './record/envelope.ts';
export * from './record/chain.ts';
export * from './mqtt/topics.ts';
export * from './mqtt/device-auth.ts';
