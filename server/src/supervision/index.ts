// Supervision: bad-practice points, credit and risk classes, the double-random inspection draw, public disclosure. Pure: no I/O.
export * from './points.ts';
export * from './settings.ts';
export * from './credit.ts';
export * from './draw.ts';
export * from './disclosure.ts';
