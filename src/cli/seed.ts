import { boot, runMain } from '../boot';
import { seedDemo } from '../../seeds';

/** npm run seed: loads the demo catalog; safe to run again (adds only what is missing). */
runMain(async () => {
  const { db } = await boot({ logLevel: 'warn' });
  try {
    const added = await seedDemo(db);
    process.stdout.write(
      `Demo data: added ${added.categories} categories, ${added.products} products, ${added.units} units, ${added.users} users.\n`,
    );
  } finally {
    await db.destroy();
  }
});
