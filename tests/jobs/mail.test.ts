import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderEmail, EMAIL_DIR } from '../../src/mail/templates';
import { fileTransport } from '../../src/mail/transports';
import { Mailer } from '../../src/mail/service';
import { createLogger } from '../../src/lib/log';
import { captureTransport } from '../helpers/mail';

const globals = { storeName: 'GigGatek', baseUrl: 'https://shop.example', currency: 'USD' };
const logger = createLogger('silent');

describe('e-mail templates', () => {
  const samples: Record<string, Record<string, unknown>> = {
    welcome: { firstName: 'Ada', verifyUrl: 'https://shop.example/verify-email?token=abc&x=1' },
    'verify-email': { firstName: 'Ada', email: 'ada@example.test', verifyUrl: 'https://shop.example/verify-email?token=abc' },
    'password-reset': { firstName: 'Ada', resetUrl: 'https://shop.example/reset-password?token=abc' },
    'password-changed': { firstName: 'Ada', when: '2026-11-21 12:00', forgotUrl: 'https://shop.example/forgot-password' },
    'account-exists': { loginUrl: 'https://shop.example/login', forgotUrl: 'https://shop.example/forgot-password' },
    'email-changed': { firstName: 'Ada', oldEmail: 'a@example.test', newEmail: 'b@example.test', when: '2026-11-21 12:00', contactUrl: 'mailto:help@shop.example' },
  };

  it('every template in views/emails has both parts and renders with a subject', async () => {
    const names = fs
      .readdirSync(EMAIL_DIR)
      .filter((f) => f.endsWith('.html.ejs') && !f.startsWith('_'))
      .map((f) => f.replace(/\.html\.ejs$/, ''));
    for (const name of ['welcome', 'verify-email', 'password-reset', 'password-changed', 'account-exists', 'email-changed']) {
      expect(names).toContain(name);
    }
    for (const name of Object.keys(samples)) {
      const mail = await renderEmail(name, samples[name]!, globals);
      expect(mail.subject.length).toBeGreaterThan(5);
      expect(mail.subject).not.toMatch(/[\r\n]/);
      expect(mail.html).toMatch(/^<!doctype html>/i);
      expect(mail.html).toContain('GigGatek');
      expect(mail.text).not.toMatch(/Subject:/);
      expect(mail.text).toContain('https://shop.example/');
      expect(mail.text).not.toMatch(/<[a-z]/i);
    }
  });

  it('escapes data in HTML, keeps text parts plain', async () => {
    const mail = await renderEmail('welcome', { firstName: '<img src=x onerror=alert(1)> & Co', verifyUrl: 'https://shop.example/verify-email?token=a&b=c' }, globals);
    expect(mail.html).not.toContain('<img src=x');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; Co');
    expect(mail.text).toContain('<img src=x onerror=alert(1)> & Co');
    expect(mail.text).toContain('https://shop.example/verify-email?token=a&b=c');
    expect(mail.subject).toBe('Welcome to GigGatek — please confirm your e-mail address');
  });

  it('the Mailer sends both parts with a stable Message-ID', async () => {
    const transport = captureTransport();
    const mailer = new Mailer({ transport, from: 'GigGatek <orders@shop.example>', globals, logger });
    await mailer.send({ to: 'ada@example.test', template: 'password-reset', data: samples['password-reset'] }, { messageId: '<mail-7@shop.example>' });
    expect(transport.sent).toHaveLength(1);
    const m = transport.sent[0]!;
    expect(m).toMatchObject({ to: 'ada@example.test', from: 'GigGatek <orders@shop.example>', subject: 'Reset your GigGatek password', messageId: '<mail-7@shop.example>' });
    expect(m.html).toContain('href="https://shop.example/reset-password?token=abc"');
    expect(m.text).toContain('https://shop.example/reset-password?token=abc');
    expect(m.headers).toEqual({ 'X-GigGatek-Template': 'password-reset' });
  });

  it('the default transport writes .eml files (HTML + text) into the mail directory', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giggatek-mail-'));
    try {
      const mailer = new Mailer({ transport: fileTransport(dir, logger), from: 'GigGatek <orders@shop.example>', globals, logger });
      await mailer.send({ to: 'ada@example.test', template: 'welcome', data: samples.welcome });
      const files = fs.readdirSync(dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/\.eml$/);
      const raw = fs.readFileSync(path.join(dir, files[0]!), 'utf8');
      expect(raw).toMatch(/^To: ada@example\.test$/m);
      expect(raw).toMatch(/Content-Type: multipart\/alternative/);
      expect(raw).toMatch(/Content-Type: text\/plain/);
      expect(raw).toMatch(/Content-Type: text\/html/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
