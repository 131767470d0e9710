import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { toAppError } from '../../src/http/error-handler';
import { testApp, type TestApp } from '../helpers/app';

/** Errors as mysql2 and Knex raise them when the database is stopped, restarting or out of reach. */
const unreachable = (code: string, message = code) => Object.assign(new Error(message), { code });
const UNAVAILABLE: Array<[string, Error]> = [
  ['connection refused', unreachable('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:3306')],
  ['connection lost', unreachable('PROTOCOL_CONNECTION_LOST', 'Connection lost: The server closed the connection.')],
  ['server shutting down', Object.assign(unreachable('ER_SERVER_SHUTDOWN', 'Server shutdown in progress'), { errno: 1053 })],
  ['no free connection in time', Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' })],
  ['a dead connection', new Error("Can't add new command when connection is in closed state")],
  ['wrapped', Object.assign(new Error('insert failed'), { cause: unreachable('ECONNRESET') })],
];

describe('the database out of reach', () => {
  it.each(UNAVAILABLE)('%s → 503 with Retry-After', (_name, err) => {
    const e = toAppError(err);
    expect(e).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(e.retryAfterSeconds).toBeGreaterThan(0);
    expect(e.message).toContain('temporarily unavailable');
  });

  it.each([
    ['a duplicate key', Object.assign(new Error('Duplicate entry'), { code: 'ER_DUP_ENTRY', errno: 1062 })],
    ['a syntax error', Object.assign(new Error('You have an error in your SQL syntax'), { code: 'ER_PARSE_ERROR' })],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
  ])('%s stays a 500', (_name, err) => {
    expect(toAppError(err)).toMatchObject({ status: 500, code: 'internal_error' });
  });

  describe('a page whose data cannot be read', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await testApp();
      // The categories every page's navigation shows are the first read of each request.
      vi.spyOn(t.app.context.catalog, 'categoryTree').mockRejectedValue(unreachable('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:3306'));
    });
    afterAll(async () => {
      vi.restoreAllMocks();
      await t.destroy();
    });

    it('is the store\'s own 503 page saying to try again shortly, with Retry-After', async () => {
      const res = await request(t.app).get('/cart');
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('30');
      expect(res.text).toContain('<a class="skip-link" href="#main">');
      expect(res.text).toContain('Temporarily unavailable');
      expect(res.text).toContain('The store is temporarily unavailable. Please try again shortly.');
      expect(res.text).not.toMatch(/ECONNREFUSED|3306|\n\s+at /);
      // "Try again" asks for the same page; the footer leaves out the categories it could not read.
      expect(res.text).toContain('<a class="button" href="/cart">Try again</a>');
      expect(res.text).not.toContain('id="footer-shop"');
    });

    it('"Try again" asks for the same address, query included, as an escaped link', async () => {
      const res = await request(t.app).get('/products?q="><b>x');
      expect(res.status).toBe(503);
      expect(res.text).toContain('href="/products?q=%22%3E%3Cb%3Ex">Try again</a>');
      expect(res.text).not.toContain('<b>x');
    });
  });
});
