import { randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import { decryptSecret, encryptSecret } from './secrets';

test('a secret decrypts with its key and context, and never with another', () => {
  const key = randomBytes(32);
  const stored = encryptSecret(key, 'the auth token', 'org-1/auth_token');
  expect(stored).not.toContain('the auth token');
  expect(encryptSecret(key, 'the auth token', 'org-1/auth_token')).not.toBe(stored);
  expect(decryptSecret(key, stored, 'org-1/auth_token')).toBe('the auth token');
  expect(() => decryptSecret(randomBytes(32), stored, 'org-1/auth_token')).toThrow();
  expect(() => decryptSecret(key, stored, 'org-2/auth_token')).toThrow();
  const [version, iv, tag, ciphertext = ''] = stored.split(':');
  const flipped = Buffer.from(ciphertext, 'base64');
  flipped[0] = (flipped[0] ?? 0) ^ 1;
  expect(() => decryptSecret(key, [version, iv, tag, flipped.toString('base64')].join(':'), 'org-1/auth_token')).toThrow();
});
