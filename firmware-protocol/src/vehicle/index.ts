export * from './nmea.ts';
export * from './nmea-encode.ts';
export * from './cargo-io.ts';
