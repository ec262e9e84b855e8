// Simulated devices on real pseudo-terminals (pty) or mock serial bindings, and the time they run on.
export * from './clock.ts';
export * from './serial/endpoint.ts';
export * from './serial/pty.ts';
export * from './serial/mock.ts';
export * from './scale/model.ts';
export * from './scale/script.ts';
export * from './scale/simulator.ts';
export * from './reader/model.ts';
export * from './reader/script.ts';
export * from './reader/driver.ts';
export * from './climate/sensor.ts';
export * from './city/index.ts';
export * from './vehicle/devices.ts';
export * from './vehicle/trip.ts';
