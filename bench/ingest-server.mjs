/**
 * The server under test for bench/ingest.bench.ts, in its own process so its peak memory can be read
 * from /proc. Plain JavaScript on the compiled server (dist/, as `wastetrail server` runs it), so the
 * figures are the product's, not a TypeScript loader's: argv[2] is the config text (JSON), argv[3] the base dir. Prints one JSON line
 * {mqttUrl, httpUrl} when listening; when stdin ends it prints the ingest stats as a JSON line,
 * stops the server and exits.
 */
import { parseServerConfig, startServer } from '@wastetrail/server';

const [text, baseDir] = process.argv.slice(2);
if (!text || !baseDir) throw new Error('usage: ingest-server.mjs <config json> <base dir>');
const config = parseServerConfig(text, baseDir);
// Warnings and errors only, on stderr: stdout carries the JSON lines the benchmark reads.
const server = await startServer({ ...config, log: { ...config.log, level: 'warn' } });
process.stdout.write(JSON.stringify({ mqttUrl: server.mqttUrl, httpUrl: server.httpUrl }) + '\n');
process.stdin.resume();
process.stdin.on('end', () => {
  void (async () => {
    await server.ingest.drain();
    process.stdout.write(JSON.stringify({ stats: server.ingest.stats() }) + '\n');
    await server.close();
    process.exit(0);
  })();
});
