import { createHmac } from 'node:crypto';
import { expect, it } from 'vitest';
import { knownHostsName, knownKeys } from './known-hosts.ts';

const key = Buffer.from('an ed25519 key blob');
const other = Buffer.from('another key blob');

it('names a host as ssh does: bare on port 22, [host]:port elsewhere', () => {
  expect(knownHostsName('10.0.0.5', 22)).toBe('10.0.0.5');
  expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
});

it('finds plain and hashed entries for the name, and nothing for another host', () => {
  const salt = Buffer.from('0123456789abcdefghij');
  const hashed = createHmac('sha1', salt).update('[127.0.0.1]:2222').digest('base64');
  const text = [
    '# a comment',
    `[127.0.0.1]:2222,other ssh-ed25519 ${key.toString('base64')}`,
    `|1|${salt.toString('base64')}|${hashed} ssh-rsa ${other.toString('base64')}`,
    `@revoked [127.0.0.1]:2222 ssh-ed25519 ${other.toString('base64')}`,
    `10.9.9.9 ssh-ed25519 ${other.toString('base64')}`,
  ].join('\n');
  expect(knownKeys(text, '[127.0.0.1]:2222')).toEqual([key, other]);
  expect(knownKeys(text, '127.0.0.1')).toEqual([]);
  expect(knownKeys(text, 'other')).toEqual([key]);
});
