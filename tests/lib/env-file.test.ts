import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EnvFileError, envFilePath, loadEnvFile } from '../../src/lib/env-file';
import { ROOT } from '../../src/lib/paths';

describe('loadEnvFile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giggatek-envfile-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };

  it('sets what the file names and leaves every variable already set alone, even an empty one', () => {
    const file = write('a.env', '# settings\nPORT=4000\nexport STORE_NAME="Gig Store"\nSQLITE_PATH=var/from-file.sqlite\nDATABASE_URL=mysql://u@h/db\n\nMULTI="one\ntwo"\n');
    const env: NodeJS.ProcessEnv = { PORT: '5000', DATABASE_URL: '' };
    loadEnvFile(file, env);
    expect(env).toEqual({ PORT: '5000', DATABASE_URL: '', STORE_NAME: 'Gig Store', SQLITE_PATH: 'var/from-file.sqlite', MULTI: 'one\ntwo' });
  });

  it('a missing project .env is fine; a missing file someone named is not', () => {
    const env: NodeJS.ProcessEnv = {};
    loadEnvFile(path.join(dir, 'absent.env'), env);
    expect(env).toEqual({});
    expect(() => loadEnvFile(path.join(dir, 'absent.env'), env, { required: true })).toThrow(/^Cannot read .*absent\.env: no such file$/);
  });

  it.each([
    ['a line without =, which would swallow the next setting', 'PORT=4000\nnot a setting\nHOST=0.0.0.0\n', /^Cannot read .*: "not a setting" is not a NAME=value line$/],
    ['a name that is not a variable name', 'STORE-NAME=x\n', /"STORE-NAME" is not a NAME=value line/],
    ['bytes that are not UTF-8', Buffer.from([0x50, 0x3d, 0xff, 0xfe, 0x0a]), /: it is not UTF-8 text$/],
  ])('refuses %s with one line naming the file', (_, content, message) => {
    const file = write('bad.env', content);
    const env: NodeJS.ProcessEnv = {};
    let error: unknown;
    try {
      loadEnvFile(file, env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvFileError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('a folder where the file should be is reported, not thrown as a raw error', () => {
    expect(() => loadEnvFile(dir, {})).toThrow(/^Cannot read .*: it is a folder$/);
  });

  it('reads the project root’s .env unless GG_ENV_FILE names another file', () => {
    expect(envFilePath({})).toEqual({ file: path.join(ROOT, '.env'), explicit: false });
    expect(envFilePath({ GG_ENV_FILE: '/etc/giggatek.env' })).toEqual({ file: '/etc/giggatek.env', explicit: true });
    expect(envFilePath({ GG_ENV_FILE: 'config/test.env' })).toEqual({ file: path.join(ROOT, 'config/test.env'), explicit: true });
  });
});
