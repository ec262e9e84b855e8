// A worker thread for server-heap.test.ts: answers each message with "pong".
import { parentPort } from 'node:worker_threads';

parentPort.on('message', () => parentPort.postMessage('pong'));
