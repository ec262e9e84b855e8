// The server's public face, for the packages above it (the demo and the city simulator, benchmarks):
// the composition root, its configuration, the store, and the demo users.
export { main } from './cli/main.ts';
export { parseCommandArgs, type Parsed } from './cli/args.ts';
export { startServer, type RunningServer, type StartOptions } from './server.ts';
export * from './config/index.ts';
export * from './store/index.ts';
export { DEMO_USERS, ensureDemoUsers } from './auth/index.ts';
export { evaluateRules, ruleConfig, DEFAULT_THRESHOLDS, renderAlertMessage, type AlertCandidate, type RuleEvaluation } from './rules/index.ts';
export type { TransportContext, VehicleTrack, VehicleRoute, Geofence, GeofenceKind, TrackPoint, DoorEventPoint } from './rules/index.ts';
export { projectVehicleTracks } from './custody/vehicle-track.ts';
export { toTrailRecord, reconstructTrail, type TrailRecord } from './custody/trail.ts';
