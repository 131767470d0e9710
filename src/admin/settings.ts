import type { Router } from 'express';
import { z } from 'zod';
import type { AppContext } from '../app';
import { decimalAmount } from '../lib/money';
import { recordAudit } from '../audit/repo';
import { inTransaction } from '../db';
import { requireRole } from '../http/auth';
import { ValidationError } from '../http/errors';
import { setFlash } from '../http/flash';
import { fieldErrors, formPage, submittedValues } from '../http/validate';
import { SETTINGS, type SettingKey } from '../settings/definitions';
import { staffContext } from './context';

/**
 * /admin/settings (admins only): one form per setting. Each form's fields
 * are read into the stored shape here; the settings definitions then check
 * the value (bounds included) before it is saved, audited, and used at once.
 */

const text = z.string().trim();
const dollars = (label: string) =>
  text.regex(/^\d{1,6}(\.\d{1,2})?$/, `${label}: an amount like 9.99.`).transform((v) => Math.round(Number(v) * 100));
const whole = (label: string) => text.regex(/^\d{1,4}$/, `${label}: a whole number.`).transform(Number);
const on = z.string().optional().transform((v) => v !== undefined);

/** "CA 7.25" per line → { CA: 725 }. */
const regionRates = text.max(4000).transform((v, ctx) => {
  const out: Record<string, number> = {};
  for (const [i, line] of v.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).entries()) {
    const m = /^([A-Za-z]{2})\s*[:=]?\s*(\d{1,2}(?:\.\d{1,2})?)\s*%?$/.exec(line);
    if (!m) ctx.addIssue({ code: 'custom', message: `Line ${i + 1} ("${line.slice(0, 40)}"): write a state code and a rate, like CA 7.25.` });
    else out[m[1]!.toUpperCase()] = Math.round(Number(m[2]) * 100);
  }
  return out;
});

/** "code | name | price | free over" per line. */
const shippingLines = text.max(4000).transform((v, ctx) =>
  v.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).flatMap((line, i) => {
    const [code, name, price, freeOver] = line.split('|').map((p) => p.trim());
    const money = /^\d{1,6}(\.\d{1,2})?$/;
    if (!code || !/^[a-z0-9-]{1,40}$/.test(code) || !name || !price || !money.test(price) || (freeOver && !money.test(freeOver))) {
      ctx.addIssue({ code: 'custom', message: `Line ${i + 1} ("${line.slice(0, 40)}"): write code | name | price | free over (optional), like standard | Standard (3–5 days) | 9.99 | 500.` });
      return [];
    }
    return [{ code, name, price_cents: Math.round(Number(price) * 100), ...(freeOver ? { free_over_cents: Math.round(Number(freeOver) * 100) } : {}) }];
  }),
);

/** Each setting's form: its fields, how they become the stored value, and how the stored value fills the form. */
const FORMS: { [K in SettingKey]: { title: string; input: z.ZodType; fields: (stored: never) => Record<string, string> } } = {
  store: {
    title: 'Store details',
    input: z.object({ name: text, email: text, phone: text, address: text }),
    fields: (s: { name: string; email: string; phone: string; address: string }) => ({ ...s }),
  },
  bank_transfer: {
    title: 'Bank transfer details',
    input: z.object({ offered: on, account_name: text, bank_name: text, routing_number: text, account_number: text, swift: text.optional() })
      .transform(({ offered, ...bank }) => (offered ? { ...bank, swift: bank.swift || undefined } : null)),
    fields: (s: { account_name: string; bank_name: string; routing_number: string; account_number: string; swift?: string } | null) =>
      s ? { offered: 'on', ...s, swift: s.swift ?? '' } : { account_name: '', bank_name: '', routing_number: '', account_number: '', swift: '' },
  },
  pickup: {
    title: 'Pickup',
    input: z.object({ offered: on, address: text, hours: text }).transform(({ offered, ...p }) => (offered ? p : null)),
    fields: (s: { address: string; hours: string } | null) => (s ? { offered: 'on', ...s } : { address: '', hours: '' }),
  },
  tax_rates: {
    title: 'Sales tax',
    input: z.object({ default_percent: text.regex(/^\d{1,2}(\.\d{1,2})?$/, 'Default rate: a percentage like 0 or 6.25.'), regions: regionRates, shipping_taxable: on })
      .transform((f) => ({ default_bps: Math.round(Number(f.default_percent) * 100), regions: f.regions, shipping_taxable: f.shipping_taxable })),
    fields: (s: { default_bps: number; regions: Record<string, number>; shipping_taxable?: boolean }) => ({
      default_percent: String(s.default_bps / 100),
      regions: Object.entries(s.regions).map(([k, v]) => `${k} ${v / 100}`).join('\n'),
      ...(s.shipping_taxable ? { shipping_taxable: 'on' } : {}),
    }),
  },
  shipping_methods: {
    title: 'Shipping methods',
    input: z.object({ methods: shippingLines }).transform((f) => f.methods),
    fields: (s: Array<{ code: string; name: string; price_cents: number; free_over_cents?: number | null }>) => ({
      methods: s.map((m) => [m.code, m.name, decimalAmount(m.price_cents), m.free_over_cents ? decimalAmount(m.free_over_cents) : ''].filter((x, i) => i < 3 || x).join(' | ')).join('\n'),
    }),
  },
  rental_policy: {
    title: 'Rent-to-own policy (applies to agreements signed from now on)',
    input: z
      .object({
        grace_days: whole('Grace period'),
        late_fee_percent: whole('Late fee percentage'),
        late_fee_cap: dollars('Late fee cap'),
        default_after_days: whole('Default after'),
        retry_days: text.regex(/^\d{1,2}(\s*,\s*\d{1,2})*$|^$/, 'Retry days: numbers separated by commas, like 3, 7.'),
        early_purchase_discount_days: whole('Early purchase period'),
      })
      .transform((f) => ({
        grace_days: f.grace_days,
        late_fee_percent: f.late_fee_percent,
        late_fee_cap_cents: f.late_fee_cap,
        default_after_days: f.default_after_days,
        retry_days: f.retry_days ? f.retry_days.split(',').map((d) => Number(d.trim())) : [],
        early_purchase_discount_days: f.early_purchase_discount_days,
      })),
    fields: (s: { grace_days: number; late_fee_percent: number; late_fee_cap_cents: number; default_after_days: number; retry_days: number[]; early_purchase_discount_days: number }) => ({
      grace_days: String(s.grace_days),
      late_fee_percent: String(s.late_fee_percent),
      late_fee_cap: decimalAmount(s.late_fee_cap_cents),
      default_after_days: String(s.default_after_days),
      retry_days: s.retry_days.join(', '),
      early_purchase_discount_days: String(s.early_purchase_discount_days),
    }),
  },
};

const KEYS = Object.keys(SETTINGS) as SettingKey[];
const KeyParams = z.object({ key: z.enum(KEYS as [SettingKey, ...SettingKey[]]) });

export function settingsRoutes(router: Router, ctx: AppContext): void {
  const { settings } = ctx;
  router.use('/settings', requireRole('admin'));

  const page = formPage({
    view: 'admin/settings',
    keep: [],
    locals: async (req) => {
      const refused = KeyParams.safeParse(req.params).data?.key ?? null;
      const groups = await Promise.all(
        KEYS.map(async (key) => {
          const stored = await settings.get(key);
          const values = refused === key ? submittedValues(req.body, Object.keys(req.body ?? {})) : FORMS[key].fields(stored as never);
          return { key, title: FORMS[key].title, values, refused: refused === key };
        }),
      );
      return { title: 'Settings', noindex: true, groups };
    },
  });

  router.get('/settings', (req, res) => page.render(req, res));

  router.post('/settings/:key', page.submit(async (req, res) => {
    const parsedKey = KeyParams.safeParse(req.params);
    if (!parsedKey.success) throw new ValidationError('There is no such setting.');
    const key = parsedKey.data.key;
    const { _csrf: _token, ...form } = (req.body ?? {}) as Record<string, unknown>;
    const input = FORMS[key].input.safeParse(form);
    if (!input.success) throw new ValidationError(`${FORMS[key].title}: please check the highlighted fields.`, fieldErrors(input.error));
    const checked = SETTINGS[key].schema.safeParse(input.data);
    if (!checked.success) throw new ValidationError(`${FORMS[key].title}: please check the highlighted fields.`, fieldErrors(checked.error));
    const by = staffContext(req);
    const before = await settings.get(key); // read before the transaction: on SQLite it holds the only connection
    await inTransaction(ctx.db, async (trx) => {
      await settings.set(key, checked.data, trx);
      await recordAudit(trx, by, { action: 'settings.update', entity: 'setting', entityId: key, before, after: checked.data }, ctx.clock.now());
    });
    settings.invalidate();
    setFlash(res, 'success', `${FORMS[key].title} saved.`);
    res.redirect(303, `/admin/settings#${key}`);
  }));
}

