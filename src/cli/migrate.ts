import { boot, runMain } from '../boot';
import { migrateDown } from '../db';

/** npm run migrate            apply pending migrations
 *  npm run migrate -- --down  roll every migration back */
runMain(async () => {
  const down = process.argv.includes('--down');
  const { db } = await boot({ migrate: !down, logLevel: 'warn' });
  try {
    if (down) {
      await migrateDown(db);
      process.stdout.write('All migrations rolled back.\n');
    } else {
      process.stdout.write('Database is up to date.\n');
    }
  } finally {
    await db.destroy();
  }
});
