import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Config } from '../config';
import type { Logger } from '../lib/log';

export interface MailMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId?: string;
  headers?: Record<string, string>;
}

/** Anything that can send a message; a nodemailer transporter fits, and tests pass their own. */
export interface MailTransport {
  sendMail(message: MailMessage): Promise<{ messageId?: string }>;
  close?(): void;
}

/** Development default: each message is written as an .eml file (open it with any mail client). */
export function fileTransport(dir: string, logger: Logger): MailTransport {
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async sendMail(message) {
      const info = await builder.sendMail(message);
      fs.mkdirSync(dir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = path.join(dir, `${stamp}-${crypto.randomBytes(3).toString('hex')}.eml`);
      fs.writeFileSync(file, info.message as Buffer);
      logger.info({ to: message.to, subject: message.subject, file }, 'e-mail written to file');
      return { messageId: info.messageId };
    },
  };
}

/** SMTP_URL, e.g. smtp://user:pass@smtp.example.com:587 or smtps://…:465. */
export function smtpTransport(url: string): MailTransport {
  return nodemailer.createTransport(url) as unknown as MailTransport;
}

export function transportFromConfig(mail: Config['mail'], logger: Logger): MailTransport {
  return mail.smtpUrl ? smtpTransport(mail.smtpUrl) : fileTransport(mail.dir, logger);
}
