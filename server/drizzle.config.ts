// drizzle-kit settings. From the repository root:
//   npx drizzle-kit generate --config server/drizzle.config.ts --name <change>                         (SQLite)
//   WASTETRAIL_DIALECT=pg npx drizzle-kit generate --config server/drizzle.config.ts --name <change>    (PostgreSQL)
// writes a new migration into server/drizzle/sqlite/ or server/drizzle/pg/. Commit it with the schema.
import { defineConfig } from 'drizzle-kit';

const pg = process.env.WASTETRAIL_DIALECT === 'pg';

export default defineConfig(
  pg
    ? { dialect: 'postgresql', schema: './server/src/store/schema.pg.ts', out: './server/drizzle/pg', strict: true, verbose: true }
    : { dialect: 'sqlite', schema: './server/src/store/schema.sqlite.ts', out: './server/drizzle/sqlite', strict: true, verbose: true },
);
