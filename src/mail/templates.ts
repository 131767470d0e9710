import fs from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import { VIEWS_DIR } from '../http/views';
import { dateTime, longDate, shortDate } from '../lib/dates';
import { formatCount } from '../lib/locale';
import { formatMoney } from '../lib/money';

/**
 * E-mail templates live in views/emails/: `<name>.html.ejs` and
 * `<name>.text.ejs`. The text part's first line is `Subject: …`. Both parts
 * are wrapped by views/emails/_layout.{html,text}.ejs. Adding an e-mail is
 * dropping in those two files; no code change.
 */
export const EMAIL_DIR = path.join(VIEWS_DIR, 'emails');
const NAME = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*$/;

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** Values every template sees besides its own data. */
export interface EmailGlobals {
  storeName: string;
  baseUrl: string;
  currency: string;
}

export class EmailTemplateError extends Error {
  override name = 'EmailTemplateError';
}

function files(name: string): { html: string; text: string } {
  if (!NAME.test(name)) throw new EmailTemplateError(`Invalid e-mail template name "${name}"`);
  return { html: path.join(EMAIL_DIR, `${name}.html.ejs`), text: path.join(EMAIL_DIR, `${name}.text.ejs`) };
}

/** Throws unless both parts of the template exist (checked when mail is enqueued, so typos fail the transaction). */
const knownTemplates = new Set<string>();

export function assertEmailTemplate(name: string): void {
  if (knownTemplates.has(name)) return;
  const f = files(name);
  for (const file of [f.html, f.text]) {
    if (!fs.existsSync(file)) throw new EmailTemplateError(`E-mail template ${path.relative(VIEWS_DIR, file)} is missing`);
  }
  knownTemplates.add(name);
}

/** Text parts are not HTML: no entity escaping. */
const plain = (v: unknown) => (v === undefined || v === null ? '' : String(v));

export async function renderEmail(name: string, data: Record<string, unknown>, globals: EmailGlobals): Promise<RenderedEmail> {
  assertEmailTemplate(name);
  const f = files(name);
  const locals = {
    ...data,
    store: { name: globals.storeName, currency: globals.currency },
    baseUrl: globals.baseUrl,
    money: (cents: number) => formatMoney(cents, globals.currency),
    url: (p: string) => `${globals.baseUrl}${p.startsWith('/') ? '' : '/'}${p}`,
    // The same date and count helpers as pages' res.locals (src/app.ts).
    longDate,
    shortDate,
    dateTime,
    formatCount,
  };
  const base = { root: VIEWS_DIR, views: [VIEWS_DIR] };

  const textRaw = await ejs.renderFile(f.text, locals, { ...base, filename: f.text, escape: plain });
  const m = /^Subject:[ \t]*(.+)\r?\n/.exec(textRaw.replace(/^\s+/, ''));
  if (!m) throw new EmailTemplateError(`E-mail template ${name}.text.ejs must start with a "Subject: …" line`);
  const subject = m[1]!.trim().replace(/[\r\n]+/g, ' ');
  const textBody = textRaw.replace(/^\s+/, '').slice(m[0].length).replace(/^\s*\n/, '');

  const htmlBody = await ejs.renderFile(f.html, locals, { ...base, filename: f.html });
  const layoutHtml = path.join(EMAIL_DIR, '_layout.html.ejs');
  const layoutText = path.join(EMAIL_DIR, '_layout.text.ejs');
  const html = await ejs.renderFile(layoutHtml, { ...locals, subject, body: htmlBody }, { ...base, filename: layoutHtml });
  const text = await ejs.renderFile(layoutText, { ...locals, subject, body: textBody.trimEnd() }, { ...base, filename: layoutText, escape: plain });
  return { subject, html, text: text.replace(/\n{3,}/g, '\n\n') };
}
