import { z } from 'zod';
import { boot, runMain } from '../boot';
import { argValue } from './args';
import { generatePassword, hashPassword, passwordProblem } from '../accounts/passwords';
import { toDbTime } from '../lib/clock';
import { revokeAllSessions } from '../accounts/sessions';
import { describeDatabase } from '../db/describe';

/**
 * npm run admin:create -- --email you@example.com [--password P]
 * Creates an admin (or promotes an existing account). Without --password a
 * strong one is generated and printed once.
 */
runMain(async () => {
  const email = argValue(process.argv, 'email')?.trim().toLowerCase();
  if (!email || !z.email().safeParse(email).success) {
    throw new Error('Usage: npm run admin:create -- --email you@example.com [--password P]  (a valid --email is required)');
  }
  const given = argValue(process.argv, 'password');
  const password = given ?? generatePassword();
  const problem = passwordProblem(password, { email });
  if (problem) throw new Error(`Password refused: ${problem}`);

  const { db, config } = await boot({ logLevel: 'warn' });
  try {
    const hash = await hashPassword(password, config.bcryptCost);
    const now = toDbTime(new Date());
    const existing = await db('users').where({ email }).first();
    await db.transaction(async (trx) => {
      if (existing) {
        await trx('users')
          .where({ id: existing.id })
          .update({ role: 'admin', password_hash: hash, email_verified_at: existing.email_verified_at ?? now, updated_at: now });
        // New password: every existing session (access and refresh tokens) ends.
        await revokeAllSessions(trx, existing.id, new Date());
      } else {
        await trx('users').insert({ email, password_hash: hash, role: 'admin', first_name: 'Store', last_name: 'Admin', email_verified_at: now, created_at: now, updated_at: now });
      }
      const user = await trx('users').where({ email }).first();
      await trx('audit_log').insert({ actor_user_id: null, action: existing ? 'admin.promoted' : 'admin.created', entity: 'user', entity_id: String(user.id), after: JSON.stringify({ email, role: 'admin' }), ip: 'cli', created_at: now });
    });
    process.stdout.write(`${existing ? 'Promoted' : 'Created'} admin ${email} in ${await describeDatabase(db, config.db)}.\n`);
    if (!given) process.stdout.write(`Password (shown once, store it safely): ${password}\n`);
  } finally {
    await db.destroy();
  }
});
