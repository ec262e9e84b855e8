// The server: ingest, verification, custody trails, rules and the HTTP API (issue "Server"; being built).
export { main } from './cli/main.ts';
