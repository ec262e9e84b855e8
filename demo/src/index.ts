// `wastetrail-demo`: the server and a simulated city of real edge agents, wired together (docs/demo.md).
export { startDemo, demoServerConfig, DEMO_DEFAULTS, type DemoOptions, type DemoCredentials, type RunningDemo } from './demo.ts';
export { edgeStationFactory, stationConfig, type EdgeStationContext } from './stations.ts';
export { incidentHooks, type IncidentContext } from './incidents.ts';
export { provisionStations, type StationKey } from './device-keys.ts';
export { seedReferenceData } from './reference-data.ts';
export { NetworkLink } from './network.ts';
export { runDemo, DEMO_USAGE } from './cli.ts';
export { runCityCli, keyringJson, CITY_USAGE, CITY_DEFAULTS } from './city-cli.ts';
export { main } from './main.ts';
