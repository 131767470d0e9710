import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../helpers/auth';
import { shopper, startShop, type Shop } from '../checkout/shop';
import { printable } from '../../src/rentals/agreement-pdf';

/** The text a PDF shows: pdfkit writes each run of text as hex glyph codes in deflated content streams. */
function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const out: string[] = [];
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let content: string;
    try {
      content = zlib.inflateSync(Buffer.from(m[1]!, 'latin1')).toString('latin1');
    } catch {
      continue;
    }
    for (const line of content.split('\n').filter((l) => l.endsWith('TJ'))) {
      out.push([...line.matchAll(/<([0-9a-f]+)>/g)].map((h) => Buffer.from(h[1]!, 'hex').toString('latin1')).join(''));
    }
  }
  return out.join('\n');
}

describe('the signed agreement as a PDF', () => {
  let t: Shop;
  beforeAll(async () => {
    t = await startShop();
    await t.product({ name: 'ThinkPad T14', priceCents: 60_000, units: 2 });
  });
  afterAll(() => t.destroy());

  it.each([
    ['Plain text, $87.50 × 12 — “quoted” ÷ 3', 'Plain text, $87.50 × 12 — “quoted” ÷ 3'],
    ['total − cash ≥ 0 → fine', 'total - cash >= 0 -> fine'],
    ['日本 ✓', '?? ?'],
  ])('printable(%j) = %j', (text, out) => expect(printable(text)).toBe(out));

  it('downloads the stored text with its signature record, for the signer only', async () => {
    const user = await createUser(t.db, { firstName: 'Casey', lastName: 'Renter' });
    const renter = shopper(t.app);
    await renter.login(user.email, user.password);
    await renter.refreshToken('/rentals/new?product=thinkpad-t14&term=12');
    const product = await t.db('products').where({ slug: 'thinkpad-t14' }).first('id');
    const signed = await renter.post('/rentals', { product_id: product.id, term_months: '12', signature_name: 'Casey Renter', agree: 'on' });
    expect(signed.status).toBe(303);
    const number = signed.headers.location.split('/').pop()!;
    const page = await renter.agent.get(`/account/rentals/${number}`);
    expect(page.text).toContain(`href="/account/rentals/${number}/agreement.pdf"`);

    const res = await renter.agent.get(`/account/rentals/${number}/agreement.pdf`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="GigGatek-agreement-${number}.pdf"`);
    expect(res.headers['cache-control']).toBe('no-store');
    const pdf = res.body as Buffer;
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const row = await t.db('rentals').where({ number }).first('agreement_text', 'agreement_sha256');
    const shown = pdfText(pdf).replace(/\s+/g, ' ');
    for (const line of (row.agreement_text as string).split('\n').filter((l) => l.length > 0 && l.length < 60)) expect(shown).toContain(line);
    expect(shown).toContain('Total of payments: $1,050.00.');
    expect(shown).toContain(`SHA-256 of the agreement text: ${row.agreement_sha256}`);
    expect(shown).toContain('Signed by typing the name "Casey Renter"');

    const other = await createUser(t.db, { email: 'someone@example.com' });
    const stranger = shopper(t.app);
    await stranger.login(other.email, other.password);
    expect((await stranger.agent.get(`/account/rentals/${number}/agreement.pdf`)).status).toBe(404);
  });
});
