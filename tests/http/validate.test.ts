import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/http/errors';
import { errorHandler } from '../../src/http/error-handler';
import { formPage, validate } from '../../src/http/validate';
import { createLogger } from '../../src/lib/log';

/** validate() and formPage() on a bare app whose "views" print what they were given. */
function app() {
  const a = express();
  a.engine('txt', (_file: string, options: object, cb: (e: Error | null, s?: string) => void) => {
    const { values, errors, formError, title } = options as Record<string, unknown>;
    cb(null, JSON.stringify({ title, values, errors, formError }));
  });
  a.set('view engine', 'txt');
  const views = fs.mkdtempSync(path.join(os.tmpdir(), 'gg-views-'));
  fs.writeFileSync(path.join(views, 'form.txt'), '');
  a.set('views', views);
  a.use(express.urlencoded({ extended: false }));
  const page = formPage({ view: 'form.txt', keep: ['name', 'qty'], locals: () => ({ title: 'Form' }) });
  const strictPage = formPage({ view: 'form.txt', keep: ['name'], showRefusals: true });
  const Body = z.object({ name: z.string().trim().min(1, 'Enter a name.'), qty: z.coerce.number().int().min(1, 'At least 1.') }).strict();
  const v = validate({ params: z.object({ id: z.string().regex(/^\d+$/).transform(Number) }), query: z.object({ page: z.coerce.number().int().min(1, 'page must be at least 1').optional() }), body: Body }, { form: page, notFound: 'No such thing.' });
  a.post('/things/:id', v, page.submit(async (req, res) => {
    if (v.body(req).name === 'taken') throw new ConflictError('That name is taken.');
    res.json({ id: v.params(req).id, page: v.query(req).page ?? null, body: v.body(req) });
  }));
  const s = validate({ body: Body }, { form: strictPage });
  a.post('/strict', s, strictPage.submit(async () => {
    throw new ConflictError('That name is taken.');
  }));
  a.post('/bare', validate({ body: Body }), (_req, res) => void res.send('ok'));
  a.use(((err, req, res, next) => {
    // The real error handler renders HTML pages; here its status and message are enough.
    res.render = ((_v: string, locals: Record<string, unknown>) => void res.json({ message: locals.message, fields: locals.fields })) as unknown as typeof res.render;
    errorHandler(createLogger('silent'))(err, req, res, next);
  }) as express.ErrorRequestHandler);
  return a;
}

describe('validate() and formPage()', () => {
  it('hands the handler parsed, typed values (the CSRF field is not part of the body)', async () => {
    const res = await request(app()).post('/things/7?page=2').type('form').send({ _csrf: 'x', name: ' Ada ', qty: '3' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: 7, page: 2, body: { name: 'Ada', qty: 3 } });
  });

  it.each([
    ['bad params → 404 with the given message', '/things/abc', { name: 'a', qty: '1' }, 404, 'No such thing.'],
    ['bad query → 400 naming the problem', '/things/1?page=0', { name: 'a', qty: '1' }, 400, 'page must be at least 1'],
  ])('%s', async (_name, path, body, status, message) => {
    const res = await request(app()).post(path).type('form').send(body);
    expect(res.status).toBe(status);
    expect(res.body.message).toContain(message);
  });

  it('a bad body re-renders the form: 422, a message per field, the kept values', async () => {
    const res = await request(app()).post('/things/1').type('form').send({ name: '', qty: '0', secret: 'never shown' });
    expect(res.status).toBe(422);
    const shown = JSON.parse(res.text);
    expect(shown.title).toBe('Form');
    expect(shown.errors).toMatchObject({ name: 'Enter a name.', qty: 'At least 1.' });
    expect(shown.values).toEqual({ name: '', qty: '0' });
    expect(shown.formError).toBe('Please check the highlighted fields.');
  });

  it('other refusals reach the form only when it asks for them', async () => {
    const plain = await request(app()).post('/things/1').type('form').send({ name: 'taken', qty: '1' });
    expect(plain.status).toBe(409);
    expect(plain.body.message).toBe('That name is taken.');
    const shown = await request(app()).post('/strict').type('form').send({ name: 'taken', qty: '1' });
    expect(shown.status).toBe(409);
    expect(JSON.parse(shown.text)).toMatchObject({ formError: 'That name is taken.', values: { name: 'taken' } });
  });

  it('without a form page a bad body goes to the error page with the field messages', async () => {
    const res = await request(app()).post('/bare').type('form').send({ name: 'x' });
    expect(res.status).toBe(422);
    expect(res.body.fields).toMatchObject({ qty: expect.any(String) });
  });
});
