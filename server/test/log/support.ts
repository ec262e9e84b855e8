/** A real SQLite store with a log of distinct leaves, and a log key in a temporary data directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryTree, recordHash, recordLeafHash, utf8 } from '@wastetrail/firmware-protocol';
import { loadLogKey } from '../../src/log/index.ts';
import { openSqliteStore, type NewRecord, type SqliteStore } from '../../src/store/index.ts';
import { record } from '../store/contract.ts';

export const ORIGIN = 'log.wastetrail.example/test';

export interface TestLog {
  store: SqliteStore;
  dataDir: string;
  key: ReturnType<typeof loadLogKey>;
  /** The same leaves in memory: what the store's tree must equal. */
  tree: MemoryTree;
  /** Appends `count` records of device `dev-log` as one commit. */
  append(count: number): Promise<NewRecord[]>;
  cleanup(): Promise<void>;
}

/** Record `seq` of device dev-log: its own bytes, so its own leaf. */
export function logRecord(seq: number): NewRecord {
  const bytes = utf8(`{"seq":${seq}}`);
  return { ...record('dev-log', seq, recordHash(bytes)), bytes };
}

export function openTestLog(): TestLog {
  const dataDir = mkdtempSync(join(tmpdir(), 'wt-log-'));
  const store = openSqliteStore(join(dataDir, 'wastetrail.db'));
  const tree = new MemoryTree();
  let seq = 0;
  return {
    store,
    dataDir,
    key: loadLogKey(dataDir, ORIGIN),
    tree,
    async append(count) {
      const records = Array.from({ length: count }, () => logRecord(++seq));
      await store.appendRecords({ records, quarantine: [], acks: [] });
      for (const r of records) tree.append(recordLeafHash(r));
      return records;
    },
    async cleanup() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
