import { boot, loadStartupConfig, runMain } from '../boot';
import { seedDemo } from '../../seeds';

/**
 * npm run seed: loads the demo catalog; safe to run again (adds only what is missing).
 * In production only with SEED_DEMO=true: the demo customer's password is published.
 */
runMain(async () => {
  const config = loadStartupConfig();
  if (config.isProduction && !config.seedDemo) {
    throw new Error('Refusing to load the demo data in production: its demo customer has a published password. Set SEED_DEMO=true to load it anyway.');
  }
  const { db } = await boot({ config, logLevel: 'warn' });
  try {
    const added = await seedDemo(db);
    process.stdout.write(
      `Demo data: added ${added.categories} categories, ${added.products} products, ${added.units} units, ${added.users} users.\n`,
    );
  } finally {
    await db.destroy();
  }
});
