import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { badRequest } from '../../errors';

export const MIN_PASSWORD_LENGTH = 10;

// Argon2id (the library's default algorithm) at OWASP's baseline: 19 MiB, 2 iterations, 1 lane.
const ARGON2_OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

let commonPasswords: Set<string> | undefined;
function isCommon(password: string): boolean {
  commonPasswords ??= new Set(
    dictionary['passwords-common'].filter((p) => p.length >= MIN_PASSWORD_LENGTH).map((p) => p.toLowerCase()),
  );
  return commonPasswords.has(password.toLowerCase());
}

/** Throws a 400 `weak_password` that says exactly what to change. */
export function assertPasswordAcceptable(password: string, email: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw badRequest('weak_password', `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
  }
  if (isCommon(password)) {
    throw badRequest('weak_password', 'This password is on the list of the most common passwords. Choose another.');
  }
  const lower = password.toLowerCase();
  if (lower === email.toLowerCase() || lower === email.split('@')[0]?.toLowerCase()) {
    throw badRequest('weak_password', 'The password must not be your email address.');
  }
  if (new Set(password).size < 4) {
    throw badRequest('weak_password', 'The password repeats too few different characters. Choose another.');
  }
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/** Spends the same time as a real check, so an unknown email answers as slowly as a wrong password. */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword('ringa-timing-equaliser');
  await verifyPassword(await dummyHash, password);
  return false;
}
