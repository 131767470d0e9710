import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../src/mail/templates';

const globals = { storeName: 'GigGatek', baseUrl: 'https://shop.example', currency: 'USD' };
const base = { firstName: 'Dana', disputeId: 7, path: '/account/disputes/7', about: 'order GG-100123', kindLabel: 'Arrived damaged' };

/** The three dispute e-mails: subject line, both parts, the claim's link; what staff wrote is escaped in HTML and kept plain in text. */
describe('dispute e-mails', () => {
  it('opened', async () => {
    const m = await renderEmail('dispute-opened', base, globals);
    expect(m.subject).toBe('We received your claim #7 on order GG-100123');
    expect(m.text).toContain('Your claim #7 (Arrived damaged) on order GG-100123 is open');
    expect(m.text).toContain('https://shop.example/account/disputes/7');
    expect(m.html).toContain('href="https://shop.example/account/disputes/7"');
  });

  it('replied: the reply quoted', async () => {
    const m = await renderEmail('dispute-replied', { ...base, reply: 'Line one <b>\nLine two & more' }, globals);
    expect(m.subject).toBe('New reply on your claim #7');
    expect(m.text).toContain('> Line one <b>\n> Line two & more');
    expect(m.html).toContain('Line one &lt;b&gt;');
    expect(m.html).not.toContain('<b>');
  });

  it.each([
    ['refund', 4000, 'Your claim #7 is resolved', 'refunded $40.00 to the way you paid'],
    ['credit', 1250, 'Your claim #7 is resolved', 'added $12.50 to your store credit'],
    ['replacement', null, 'Your claim #7 is resolved', 'we will send you a replacement'],
    ['rejected', null, 'Your claim #7 was not accepted', 'could not accept it'],
  ] as const)('resolved: %s', async (outcome, amountCents, subject, says) => {
    const m = await renderEmail('dispute-resolved', { ...base, outcome, amountCents, note: 'Because <reasons>.' }, globals);
    expect(m.subject).toBe(subject);
    expect(m.text).toContain(says);
    expect(m.html.replace(/<[^>]+>/g, '')).toContain(says);
    expect(m.text).toContain(`${outcome === 'rejected' ? 'The reason' : 'From our team'}: Because <reasons>.`);
    expect(m.html).toContain('Because &lt;reasons&gt;.');
  });
});
