import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import type { MailMessage, MailTransport } from '../../src/mail/transports';
import { JobWorker } from '../../src/jobs/worker';
import type { AppContext } from '../../src/app';

/** An in-memory transport: every message handed to it is kept in `sent`. Set `failWith` to make sends throw. */
export function captureTransport(): MailTransport & { sent: MailMessage[]; attempts: number; failWith: Error | null; to(address: string): MailMessage[] } {
  const t = {
    sent: [] as MailMessage[],
    attempts: 0,
    failWith: null as Error | null,
    async sendMail(message: MailMessage) {
      t.attempts++;
      if (t.failWith) throw t.failWith;
      t.sent.push(message);
      return { messageId: message.messageId };
    },
    to(address: string) {
      return t.sent.filter((m) => m.to === address);
    },
  };
  return t;
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  /** The decoded text/plain part. */
  text: string;
}

/**
 * A real SMTP server on a random local port (smtp-server), recording every
 * message it accepts. `delayMs`: it takes that long to accept each message
 * (a slow mail server); `receiving` counts messages being received meanwhile.
 */
export async function startSmtpServer(o: { delayMs?: number } = {}): Promise<{ url: string; received: ReceivedMail[]; receiving(): number; close(): Promise<void> }> {
  const received: ReceivedMail[] = [];
  let receiving = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      receiving++;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject: decodeHeader(/^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)?.[1] ?? ''),
          text: textPart(raw),
        });
        setTimeout(() => {
          receiving--;
          callback();
        }, o.delayMs ?? 0);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    receiving: () => receiving,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function decodeHeader(v: string): string {
  const unfolded = v.replace(/\r?\n[ \t]/g, ' ');
  return unfolded.replace(/=\?utf-8\?([QB])\?([^?]*)\?=\s*/gi, (_m, enc: string, data: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
  ).trim();
}

export function decodeQuotedPrintable(s: string): string {
  const bytes = s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** The text/plain part of a raw MIME message, decoded. */
export function textPart(raw: string): string {
  const m = /Content-Type: text\/plain[^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*?Content-Transfer-Encoding: ([\w-]+)\r?\n\r?\n([\s\S]*?)\r?\n--/i.exec(raw);
  if (!m) return '';
  const [, encoding, body] = m;
  if (/quoted-printable/i.test(encoding!)) return decodeQuotedPrintable(body!);
  if (/base64/i.test(encoding!)) return Buffer.from(body!.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body!;
}

/** The first link to `path` (e.g. '/verify-email') in a text, as a path + query to request. */
export function linkTo(text: string, path: string): string {
  const m = new RegExp(`https?://[^\\s/]+(${path.replace(/[/.]/g, '\\$&')}\\?[^\\s]+)`).exec(text);
  if (!m) throw new Error(`No ${path} link in:\n${text}`);
  return m[1]!;
}

/** Runs every due job of the app once (e-mail included), like the worker would. */
export async function runJobs(ctx: AppContext): Promise<number> {
  const worker = new JobWorker({ db: ctx.db, registry: ctx.jobs, clock: ctx.clock, logger: ctx.logger });
  return worker.drain();
}
