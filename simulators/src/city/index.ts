// The simulated city: layout, daily rhythm and incidents (pure), the people at the stations, and a run
// that drives real stations through an injected factory (the demo starts edge agents; see station.ts).
export * from './time.ts';
export * from './layout.ts';
export * from './geography.ts';
export * from './incidents.ts';
export * from './model.ts';
export * from './station.ts';
export * from './devices.ts';
export * from './people.ts';
export * from './progress.ts';
export * from './run.ts';
export * from './climate.ts';
export * from './vehicles.ts';
