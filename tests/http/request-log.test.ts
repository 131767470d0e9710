import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../helpers/app';

let t: TestApp;
const lines: Array<Record<string, any>> = [];
beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  t = await testApp({ deps: { logger: pino({ level: 'info' }, sink) } });
});
afterAll(() => t.destroy());

const requestLines = () => lines.filter((l) => l.msg === 'request completed' || l.msg === 'request errored');

describe('request log', () => {
  it('logs one line per request with its id, method, masked URL, status and time; 4xx at warn level', async () => {
    lines.length = 0;
    const ok = await request(t.app).get('/rent-to-own?token=abc').expect(200);
    await request(t.app).get('/no-such-page').set('X-Request-Id', 'trace-0001-abcd').expect(404);
    await request(t.app).get('/healthz').expect(200);

    const logged = requestLines();
    expect(logged.map((l) => [l.level, l.req.method, l.req.url, l.res.statusCode])).toEqual([
      [30, 'GET', '/rent-to-own?token=[redacted]', 200],
      [40, 'GET', '/no-such-page', 404],
    ]);
    expect(logged[0]!.req.id).toBe(ok.get('x-request-id'));
    expect(logged[1]!.req.id).toBe('trace-0001-abcd');
    expect(logged.every((l) => Number.isInteger(l.responseTime) && l.responseTime >= 0)).toBe(true);
  });

  it('replaces an unusable incoming request id with a fresh one', async () => {
    const res = await request(t.app).get('/rent-to-own').set('X-Request-Id', 'bad id; with spaces').expect(200);
    expect(res.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
