// EPC identities: GS1 TDS 96-bit decoding and encoding, and the custody tag id of a read.
export * from './tds96.ts';
export * from './tag-id.ts';
