import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config';
import { EnvFileError } from '../../src/lib/env-file';
import { StartupError, startupErrorMessage, type StartupStage } from '../../src/lib/startup-errors';

const err = (fields: Record<string, unknown>, message = 'raw driver message\n    at somewhere (file.js:1:1)') => Object.assign(new Error(message), fields);
const listen = { listen: '127.0.0.1:3000' };
const mysql = { database: 'MySQL/MariaDB giggatek on 127.0.0.1:3306' };
const sqlite = { database: 'SQLite var/giggatek.sqlite' };

describe('startupErrorMessage', () => {
  it.each<[string, unknown, StartupStage, string]>([
    ['port in use', err({ code: 'EADDRINUSE', syscall: 'listen' }), listen, 'Cannot listen on 127.0.0.1:3000: the port is already in use; stop the other process or choose another PORT'],
    ['port not allowed', err({ code: 'EACCES', syscall: 'listen' }), listen, 'Cannot listen on 127.0.0.1:3000: permission denied (ports below 1024 need privileges); choose another PORT'],
    ['address not here', err({ code: 'EADDRNOTAVAIL' }), listen, 'Cannot listen on 127.0.0.1:3000: that address is not on this machine; check HOST'],
    ['HOST not found', err({ code: 'ENOTFOUND', hostname: 'shop.invalid' }), listen, 'Cannot listen on 127.0.0.1:3000: host "shop.invalid" not found; check HOST'],
    ['connection refused', err({ code: 'ECONNREFUSED' }), mysql, 'Cannot reach the database MySQL/MariaDB giggatek on 127.0.0.1:3306: connection refused (is the database server running?); check DATABASE_URL'],
    ['refused, several addresses tried', new AggregateError([err({ code: 'ECONNREFUSED' }), err({ code: 'ECONNREFUSED' })]), mysql, 'Cannot reach the database MySQL/MariaDB giggatek on 127.0.0.1:3306: connection refused (is the database server running?); check DATABASE_URL'],
    ['host not found', err({ code: 'ENOTFOUND', hostname: 'db.invalid' }), mysql, 'Cannot reach the database MySQL/MariaDB giggatek on 127.0.0.1:3306: host "db.invalid" not found; check DATABASE_URL'],
    ['timed out', err({ code: 'ETIMEDOUT' }), mysql, 'Cannot reach the database MySQL/MariaDB giggatek on 127.0.0.1:3306: the connection timed out; check DATABASE_URL'],
    ['pool timed out', Object.assign(new Error('Knex: Timeout acquiring a connection.'), { name: 'KnexTimeoutError' }), mysql, 'Cannot reach the database MySQL/MariaDB giggatek on 127.0.0.1:3306: the connection timed out; check DATABASE_URL'],
    ['login refused', err({ code: 'ER_ACCESS_DENIED_ERROR', errno: 1045, sqlMessage: "Access denied for user 'gg'@'10.0.0.2' (using password: YES)" }), mysql, "The database MySQL/MariaDB giggatek on 127.0.0.1:3306 refused the login: Access denied for user 'gg'@'10.0.0.2' (using password: YES); check the user and password in DATABASE_URL"],
    ['database refused', err({ code: 'ER_DBACCESS_DENIED_ERROR', errno: 1044, sqlMessage: "Access denied for user 'gg'@'%' to database 'giggatek'" }, "CREATE DATABASE IF NOT EXISTS `giggatek` - Access denied for user 'gg'@'%' to database 'giggatek'"), mysql, "The database MySQL/MariaDB giggatek on 127.0.0.1:3306 refused access: Access denied for user 'gg'@'%' to database 'giggatek'; create the database or grant the user access to it"],
    ['no such database', err({ code: 'ER_BAD_DB_ERROR', sqlMessage: "Unknown database 'giggatek'" }), mysql, "The database MySQL/MariaDB giggatek on 127.0.0.1:3306 does not exist: Unknown database 'giggatek'; create it or let the user create it"],
    ['SQLite cannot open', err({ code: 'SQLITE_CANTOPEN' }, 'unable to open database file'), sqlite, 'Cannot open the database SQLite var/giggatek.sqlite; check SQLITE_PATH and that its folder is writable'],
    ['not a SQLite file', err({ code: 'SQLITE_NOTADB' }), sqlite, 'Cannot open the database SQLite var/giggatek.sqlite: the file is not a SQLite database; check SQLITE_PATH'],
    ['folder not writable', err({ code: 'EACCES', syscall: 'mkdir', path: '/srv/data' }), sqlite, 'Cannot open the database SQLite var/giggatek.sqlite: permission denied (/srv/data); check SQLITE_PATH'],
    ['a file in the way', err({ code: 'EEXIST', syscall: 'mkdir', path: '/tmp/file' }), sqlite, 'Cannot open the database SQLite var/giggatek.sqlite: a file is in the way of a folder (/tmp/file); check SQLITE_PATH'],
    ['unknown database failure', err({ code: 'ER_SOMETHING' }, 'first line\nsecond line'), mysql, 'Cannot open the database MySQL/MariaDB giggatek on 127.0.0.1:3306: first line'],
    ['a bad setting', new ConfigError('Configuration error: PORT must be a number (got "abc")'), {}, 'Configuration error: PORT must be a number (got "abc")'],
    ['an unreadable .env', new EnvFileError('Cannot read .env: permission denied'), {}, 'Cannot read .env: permission denied'],
    ['already described', new StartupError('Cannot listen on x: y'), mysql, 'Cannot listen on x: y'],
    ['anything else', new Error('boom\n    at main (server.js:1:1)'), {}, 'Failed to start: boom'],
    ['not even an Error', 'weird', {}, 'Failed to start: weird'],
  ])('%s', (_, error, stage, line) => {
    const message = startupErrorMessage(error, stage);
    expect(message).toBe(line);
    expect(message).not.toContain('\n');
  });
});
