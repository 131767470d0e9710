import { z } from 'zod';
import type { Conn } from '../db';
import type { Logger } from '../lib/log';
import { enqueue, enqueueMany, type EnqueueOptions } from '../jobs/queue';
import type { JobRegistry } from '../jobs/registry';
import { assertEmailTemplate, renderEmail, type EmailGlobals, type RenderedEmail } from './templates';
import type { MailTransport } from './transports';

export const MAIL_JOB = 'mail.send';

/** One e-mail to send: a template from views/emails/ and the (JSON-serialisable) data it needs. */
export interface MailRequest {
  to: string;
  template: string;
  data?: Record<string, unknown>;
}

const Address = z.email();

/**
 * Queues an e-mail in the jobs table. Call it with the transaction that makes
 * the change the e-mail reports (outbox): a rolled-back change sends nothing,
 * a committed one is sent by a worker, with retries.
 */
export async function enqueueMail(conn: Conn, mail: MailRequest, options: Omit<EnqueueOptions, 'uniqueKey'> & { uniqueKey?: string } = {}): Promise<number> {
  if (!Address.safeParse(mail.to).success) throw new Error(`enqueueMail: "${mail.to}" is not an e-mail address`);
  assertEmailTemplate(mail.template);
  const payload: MailRequest = { to: mail.to, template: mail.template, data: mail.data ?? {} };
  return enqueue(conn, MAIL_JOB, payload, { maxAttempts: 8, ...options });
}

/** Queues several e-mails in one go, in the caller's transaction (a collection batch's receipts). */
export async function enqueueMails(conn: Conn, mails: readonly MailRequest[], options: Omit<EnqueueOptions, 'uniqueKey'> = {}): Promise<void> {
  for (const mail of mails) {
    if (!Address.safeParse(mail.to).success) throw new Error(`enqueueMails: "${mail.to}" is not an e-mail address`);
    assertEmailTemplate(mail.template);
  }
  await enqueueMany(conn, MAIL_JOB, mails.map((m) => ({ to: m.to, template: m.template, data: m.data ?? {} })), { maxAttempts: 8, ...options });
}

export interface MailerDeps {
  transport: MailTransport;
  from: string;
  globals: EmailGlobals;
  logger: Logger;
}

/** Renders templates and hands messages to the transport; the worker calls it for each mail job. */
export class Mailer {
  constructor(private readonly deps: MailerDeps) {}

  get transport(): MailTransport {
    return this.deps.transport;
  }

  render(template: string, data: Record<string, unknown> = {}): Promise<RenderedEmail> {
    return renderEmail(template, data, this.deps.globals);
  }

  async send(mail: MailRequest, options: { messageId?: string } = {}): Promise<RenderedEmail & { messageId?: string }> {
    const rendered = await this.render(mail.template, mail.data ?? {});
    const info = await this.deps.transport.sendMail({
      from: this.deps.from,
      to: mail.to,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      messageId: options.messageId,
      headers: { 'X-GigGatek-Template': mail.template },
    });
    return { ...rendered, messageId: info.messageId ?? options.messageId };
  }

  /** Registers the `mail.send` job kind. */
  registerJobs(registry: JobRegistry): void {
    const host = new URL(this.deps.globals.baseUrl).hostname || 'giggatek.local';
    registry.register<MailRequest>(MAIL_JOB, async (payload, { job, logger }) => {
      // One Message-ID per job: if a crash makes us send twice, mail clients show it once.
      const sent = await this.send(payload, { messageId: `<mail-${job.id}@${host}>` });
      logger.info({ to: payload.to, template: payload.template }, 'e-mail sent');
      // Keep who/what was sent, but drop the data: it may hold one-time links.
      return { payload: { to: payload.to, template: payload.template, subject: sent.subject, messageId: sent.messageId ?? null } };
    });
  }
}
