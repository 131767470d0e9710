import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../helpers/db';
import { renderEmail } from '../../src/mail/templates';
import { MAIL_JOB } from '../../src/mail/service';
import { fixedClock } from '../../src/lib/clock';
import { createUser } from '../helpers/auth';
import { queueRentalMail, type RentalMail, type RentalMailFacts } from '../../src/rentals/emails';

const globals = { storeName: 'GigGatek', baseUrl: 'https://shop.example', currency: 'USD' };

const facts: RentalMailFacts = {
  number: 'RA-100001',
  userId: 1,
  firstName: 'Ada',
  email: 'ada@example.test',
  productName: 'ThinkPad T14 Gen 3',
  serialNumber: 'PF-3X9K2L',
  termMonths: 12,
  monthlyCents: 6_500,
  cashPriceCents: 64_900,
  totalCents: 78_000,
  paymentsMade: 2,
  paidCents: 13_000,
  remainingCents: 65_000,
  earlyPurchaseCents: 51_900,
  earlyPurchaseUntil: '2027-02-24',
  nextDueOn: '2027-01-27',
  nextAmountCents: 6_500,
};

const AGREEMENT_TEXT = 'GIGGATEK RENT-TO-OWN AGREEMENT\n\nCustomer: Ada Lovelace\n\nYOUR RIGHT TO RETURN\n\nYou may return the device at any time.\n';

/** What queueRentalMail puts in the job (the facts without the e-mail address, the name and the link) plus each template's own data. */
const base = (f: RentalMailFacts = facts) => {
  const { email: _email, userId: _userId, ...rental } = f;
  return { rental, firstName: f.firstName, rentalPath: `/account/rentals/${f.number}` };
};

const extras: Record<RentalMail, Record<string, unknown>> = {
  'rental-signed': {
    agreementText: AGREEMENT_TEXT,
    signedAt: '2026-11-27T14:05:09.000Z',
    agreementSha256: 'a'.repeat(64),
    pdfPath: '/account/rentals/RA-100001/agreement.pdf',
  },
  'rental-receipt': { amountCents: 6_500, paidFor: 'Payment 2 of 12', paidOn: '2026-12-27', provider: 'stripe' },
  'rental-upcoming-payment': { dueOn: '2027-01-27', amountCents: 6_500, card: true },
  'rental-first-period-ending': { lastDayOn: '2027-02-24', lastPriceCents: 45_400, nextPriceCents: 48_675, reason: 'After the first 90 days the price is worked out from the payments still to make.' },
  'rental-payment-failed': {
    amountCents: 6_500,
    dueOn: '2027-01-27',
    reason: 'Your card was declined.',
    authenticationRequired: false,
    payPath: '/account/rentals/RA-100001',
    nextRetryOn: '2027-01-29',
    lateFeeFromOn: '2027-02-03',
  },
  'rental-late-notice': { lateFeeCents: 325, pastDueCents: 6_825, defaultFromOn: '2027-02-06', payPath: '/account/rentals/RA-100001' },
  'rental-owned': { how: 'paid_in_full', amountCents: 6_500 },
  'rental-return-instructions': { returnBy: '2027-02-10', returnAddress: 'GigGatek Returns\n12 Dock Road\nPortland, OR 97201', owedCents: 0 },
  'rental-return-received': { receivedOn: '2027-02-08', owedCents: 0 },
};

const render = (name: RentalMail, extra: Record<string, unknown> = {}, f: RentalMailFacts = facts) => renderEmail(name, { ...base(f), ...extras[name], ...extra }, globals);

describe('rent-to-own e-mails', () => {
  it('all nine render: subject names the agreement, both parts carry the summary and the link, text has no HTML', async () => {
    for (const name of Object.keys(extras) as RentalMail[]) {
      const mail = await render(name);
      expect(mail.subject, name).toContain('RA-100001');
      expect(mail.subject, name).not.toMatch(/[\r\n]/);
      expect(mail.html, name).toMatch(/^<!doctype html>/i);
      for (const part of [mail.html, mail.text]) {
        expect(part, name).toContain('ThinkPad T14 Gen 3');
        expect(part, name).toContain('PF-3X9K2L');
        expect(part, name).toContain('$65.00'); // monthly × 12
        expect(part, name).toMatch(/2 of 12/);
        if (name !== 'rental-return-received') expect(part, name).toContain('$650.00'); // remaining total
        expect(part, name).toContain('$519.00'); // early purchase price today
        expect(part, name).toContain('February 24, 2027'); // holds until
        expect(part, name).toContain('January 27, 2027'); // next payment
      }
      expect(mail.text, name).toContain('https://shop.example/account/rentals/RA-100001');
      expect(mail.html, name).toContain('href="https://shop.example/account/rentals/RA-100001');
      expect(mail.text, name).not.toMatch(/<[a-z/!]/i);
      expect(mail.text, name).not.toMatch(/&(amp|lt|gt|quot|#\d+);/);
      expect(mail.text, name).not.toMatch(/Subject:|undefined|null|NaN/);
      expect(mail.html, name).not.toMatch(/undefined|NaN|>null</);
    }
  });

  it('the summary leaves out what is not set: no serial, no early purchase price once owned, no next payment', async () => {
    const owned = { ...facts, serialNumber: null, paymentsMade: 12, paidCents: 78_000, remainingCents: 0, earlyPurchaseCents: null, earlyPurchaseUntil: null, nextDueOn: null, nextAmountCents: null };
    const mail = await render('rental-owned', {}, owned);
    for (const part of [mail.html, mail.text]) {
      expect(part).not.toMatch(/Serial number/);
      expect(part).not.toMatch(/Early purchase price/i);
      expect(part).not.toMatch(/holds until/);
      expect(part).not.toMatch(/Next payment/);
      expect(part).toMatch(/12 of 12/);
    }
    expect(mail.subject).toBe('Agreement RA-100001 is complete: the ThinkPad T14 Gen 3 is yours');
    expect(mail.text).toContain('last payment of $65.00');
    const buyout = await render('rental-owned', { how: 'buyout', amountCents: 51_900 }, owned);
    expect(buyout.text).toContain('early purchase payment of $519.00');
    expect(buyout.text).toMatch(/warranty/i);
  });

  it('the signed copy carries the agreement verbatim, the signing date and both links', async () => {
    const mail = await render('rental-signed', { signedName: 'Ada Lovelace' });
    expect(mail.subject).toBe('Your copy of rent-to-own agreement RA-100001');
    expect(mail.text).toContain(AGREEMENT_TEXT.trimEnd());
    expect(mail.html).toMatch(/<pre style="white-space:pre-wrap;[^"]*">GIGGATEK RENT-TO-OWN AGREEMENT\n\nCustomer: Ada Lovelace\n/);
    for (const part of [mail.html, mail.text]) {
      expect(part).toContain('on Nov 27, 2026, 14:05 UTC.');
      expect(part).toContain('Ada Lovelace');
      expect(part).toContain('https://shop.example/account/rentals/RA-100001/agreement.pdf');
      expect(part).toContain('a'.repeat(64));
      expect(part).toContain('We have received your first payment');
    }
    const unpaid = await render('rental-signed', {}, { ...facts, paymentsMade: 0, paidCents: 0 });
    expect(unpaid.text).toContain('The first payment is next: $65.00');
    expect(unpaid.text).not.toContain('We have received your first payment');
  });

  it('the receipt shows the amount, the remaining total and today\'s early purchase price', async () => {
    const mail = await render('rental-receipt');
    expect(mail.subject).toBe('Receipt for agreement RA-100001: $65.00 received');
    for (const part of [mail.html, mail.text]) {
      expect(part).toContain('Payment 2 of 12');
      expect(part).toContain('December 27, 2026');
      expect(part).toMatch(/Remaining to own it: (<strong>)?\$650\.00/);
      expect(part).toMatch(/buy it outright today for (<strong>)?\$519\.00/);
    }
    expect(mail.text).toContain('Paid by: Card');
    const manual = await render('rental-receipt', { provider: 'manual' });
    expect(manual.text).toContain('Paid by: Bank transfer or in person');
  });

  it('the upcoming-payment reminder says whether the card is charged or a transfer is needed', async () => {
    const card = await render('rental-upcoming-payment');
    expect(card.subject).toBe('Agreement RA-100001: $65.00 due on January 27, 2027');
    expect(card.text).toContain('charge it automatically to your saved card');
    expect(card.text).not.toContain('bank transfer');
    const transfer = await render('rental-upcoming-payment', { card: false });
    expect(transfer.text).toContain('pay it by bank transfer, quoting RA-100001');
    expect(transfer.text).not.toContain('charge it automatically');
  });

  it('the first-period e-mail shows both prices, the last day as a long date and why', async () => {
    const mail = await render('rental-first-period-ending');
    expect(mail.subject).toBe('Agreement RA-100001: your early purchase price changes after February 24, 2027');
    for (const part of [mail.html, mail.text]) {
      expect(part).toContain('$454.00');
      expect(part).toContain('$486.75');
      expect(part).toContain('costs $32.75 less');
      expect(part).toContain('February 24, 2027');
      expect(part).toContain('worked out from the payments still to make');
    }
    const notHigher = await render('rental-first-period-ending', { nextPriceCents: 45_000 });
    expect(notHigher.text).not.toContain('less');
  });

  it('payment failed: the pay link, and the bank-confirmation wording only when the bank asks for it', async () => {
    const declined = await render('rental-payment-failed');
    expect(declined.subject).toBe('Your payment did not go through for agreement RA-100001');
    for (const part of [declined.html, declined.text]) {
      expect(part).toContain('https://shop.example/account/rentals/RA-100001');
      expect(part).toContain('Your card was declined.');
      expect(part).toContain('January 29, 2027'); // next retry
      expect(part).toContain('No late fee is charged before February 3, 2027');
      expect(part).not.toMatch(/confirm/i);
    }
    expect(declined.html).toContain('href="https://shop.example/account/rentals/RA-100001"');

    const sca = await render('rental-payment-failed', { authenticationRequired: true, nextRetryOn: null });
    expect(sca.subject).toBe('Please confirm your payment for agreement RA-100001');
    for (const part of [sca.html, sca.text]) {
      expect(part).toContain('Your bank asks you to confirm this payment yourself');
      expect(part).not.toContain('try your saved card again');
    }
  });

  it('the late notice names the fee, the total past due and the default date, and the way out', async () => {
    const mail = await render('rental-late-notice');
    expect(mail.subject).toBe('Agreement RA-100001 has a payment past due');
    for (const part of [mail.html, mail.text]) {
      expect(part).toContain('$3.25');
      expect(part).toContain('$68.25');
      expect(part).toContain('February 6, 2027');
      expect(part).toMatch(/return it without penalty/);
      expect(part).toContain('https://shop.example/account/rentals/RA-100001');
    }
    const noFee = await render('rental-late-notice', { lateFeeCents: 0, pastDueCents: 6_500 });
    expect(noFee.text).not.toMatch(/Late fee/);
  });

  it('return instructions: the steps, the address line by line, the date and what is owed', async () => {
    const mail = await render('rental-return-instructions');
    expect(mail.html).toContain('GigGatek Returns<br>12 Dock Road<br>Portland, OR 97201<br>');
    expect(mail.text).toMatch(/^ {2}12 Dock Road$/m);
    for (const part of [mail.html, mail.text]) {
      expect(part).toContain('February 10, 2027');
      expect(part).toMatch(/accessories/);
      expect(part).toMatch(/agreement number (<strong>)?RA-100001/);
      expect(part).toContain('you owe nothing more');
    }
    const owing = await render('rental-return-instructions', { returnBy: null, owedCents: 6_500 });
    expect(owing.text).toContain('Nothing more is owed beyond the payments already due: $65.00');
    expect(owing.text).not.toContain(' by February');
  });

  it('return received: the date and that the agreement ended without penalty', async () => {
    const mail = await render('rental-return-received');
    for (const part of [mail.html, mail.text]) {
      expect(part).toContain('February 8, 2027');
      expect(part).toContain('ended without penalty');
      expect(part).toContain('You owe nothing more.');
      // Ended without ownership: what was left to pay is not shown as if owed.
      expect(part).not.toContain('$650.00');
      expect(part).not.toMatch(/Remaining to own it/);
    }
    const owing = await render('rental-return-received', { owedCents: 1_200 });
    expect(owing.text).toContain('The only amount still open is $12.00');
  });

  it('escapes data in HTML and keeps the text part plain', async () => {
    const hostile = '<img src=x onerror=alert(1)> & "Co"';
    for (const name of Object.keys(extras) as RentalMail[]) {
      const mail = await render(name, name === 'rental-signed' ? { agreementText: `${hostile}\n` } : {}, { ...facts, productName: hostile, firstName: '<b>Ada</b>' });
      expect(mail.html, name).not.toContain('<img src=x');
      expect(mail.html, name).not.toContain('<b>Ada');
      expect(mail.html, name).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &#34;Co&#34;');
      expect(mail.text, name).toContain(hostile);
    }
  });
});

describe('queueRentalMail', () => {
  let t: TestDb;
  const clock = fixedClock('2026-12-27T09:00:00Z');
  let renter: RentalMailFacts;
  beforeAll(async () => {
    t = await freshDb();
    const user = await createUser(t.db, { email: 'ada@example.test' });
    renter = { ...facts, userId: user.id };
  });
  afterAll(() => t.destroy());
  beforeEach(async () => {
    await t.db('jobs').delete();
    await t.db('notifications').delete();
  });

  it('writes one mail.send job in the caller\'s transaction with the template and the data', async () => {
    await t.db.transaction(async (trx) => {
      await queueRentalMail(trx, { clock }, 'rental-receipt', renter, extras['rental-receipt']);
    });
    expect(await t.db('notifications').select('user_id', 'kind', 'url')).toEqual([{ user_id: renter.userId, kind: 'rental', url: '/account/rentals/RA-100001' }]);
    const jobs = await t.db('jobs').select();
    expect(jobs).toHaveLength(1);
    expect(jobs[0].kind).toBe(MAIL_JOB);
    expect(jobs[0].unique_key).toBeNull();
    expect(JSON.parse(jobs[0].payload)).toEqual({ to: 'ada@example.test', template: 'rental-receipt', data: { ...base(), ...extras['rental-receipt'] } });
    expect(JSON.parse(jobs[0].payload).data.rental).not.toHaveProperty('email');
  });

  it('nothing is queued when the transaction rolls back', async () => {
    await expect(
      t.db.transaction(async (trx) => {
        await queueRentalMail(trx, { clock }, 'rental-owned', renter, extras['rental-owned']);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await t.db('jobs').select()).toHaveLength(0);
    expect(await t.db('notifications').select()).toHaveLength(0);
  });

  it('a uniqueKey given twice queues the e-mail once', async () => {
    const key = 'rental-upcoming-payment:RA-100001:2';
    for (let i = 0; i < 2; i++) {
      await t.db.transaction(async (trx) => {
        await queueRentalMail(trx, { clock }, 'rental-upcoming-payment', renter, extras['rental-upcoming-payment'], { uniqueKey: key });
      });
    }
    const jobs = await t.db('jobs').select();
    expect(jobs).toHaveLength(1);
    expect(jobs[0].unique_key).toBe(key);
    expect(JSON.parse(jobs[0].payload).template).toBe('rental-upcoming-payment');
    // A reminder comes by e-mail only.
    expect(await t.db('notifications').select()).toHaveLength(0);
  });
});
