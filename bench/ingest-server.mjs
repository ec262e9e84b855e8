/**
 * The server under test for bench/ingest.bench.ts, in its own process so its peak memory can be read
 * from /proc. Plain JavaScript on the compiled server (dist/, as `wastetrail server` runs it), so the
 * figures are the product's, not a TypeScript loader's: argv[2] is the config text (JSON), argv[3] the base dir. Prints one JSON line
 * {mqttUrl, httpUrl} when listening; when stdin ends it prints the ingest stats as a JSON line,
 * stops the server and exits. The stats carry `logSequence`: the time the store spent sequencing records
 * into the verifiable log inside its commits (bench/log.bench.ts), timed here around the SQLite store's
 * sequence() so the server's code carries no switch for the benchmark.
 */
import { parseServerConfig, startServer } from '@wastetrail/server';

const [text, baseDir] = process.argv.slice(2);
if (!text || !baseDir) throw new Error('usage: ingest-server.mjs <config json> <base dir>');
const config = parseServerConfig(text, baseDir);
// Warnings and errors only, on stderr: stdout carries the JSON lines the benchmark reads.
const server = await startServer({ ...config, log: { ...config.log, level: 'warn' } });
const logSequence = { ms: 0, leaves: 0, commits: 0 };
const store = server.store;
if (typeof store.sequence === 'function') {
  const sequence = store.sequence.bind(store);
  store.sequence = (records) => {
    const started = performance.now();
    try {
      return sequence(records);
    } finally {
      logSequence.ms += performance.now() - started;
      logSequence.leaves += records.length;
      logSequence.commits++;
    }
  };
}
process.stdout.write(JSON.stringify({ mqttUrl: server.mqttUrl, httpUrl: server.httpUrl }) + '\n');
process.stdin.resume();
process.stdin.on('end', () => {
  void (async () => {
    await server.ingest.drain();
    process.stdout.write(JSON.stringify({ stats: { ...server.ingest.stats(), logSequence } }) + '\n');
    await server.close();
    process.exit(0);
  })();
});
