// RFID readers: Chafon / UHFReader18 and Impinj R2000 ("A0") frames, stream parsers, inventory replies,
// and the rule that tells a staff badge from a bag's tag.
export * from './errors.ts';
export * from './stream.ts';
export * from './chafon/frame.ts';
export * from './chafon/parser.ts';
export * from './chafon/commands.ts';
export * from './chafon/reply.ts';
export * from './chafon/inventory.ts';
export * from './chafon/reader-info.ts';
export * from './r2000/frame.ts';
export * from './r2000/parser.ts';
export * from './badge.ts';
