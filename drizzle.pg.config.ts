import { defineConfig } from 'drizzle-kit';

// The PostgreSQL store's migrations (DATABASE_URL=postgres://…); drizzle.config.ts has SQLite's.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/pg/schema.ts',
  out: './drizzle/pg',
});
