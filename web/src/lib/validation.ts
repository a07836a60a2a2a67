// The checks a form can make before asking the server, in the words of the current language.
import type { Messages } from '$lib/i18n/index.svelte';

export const MIN_PASSWORD_LENGTH = 10;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkEmail(t: Messages, email: string): string | null {
  return EMAIL.test(email.trim()) ? null : t.validation.email;
}

/** The server's password rules that can be checked here; "too common" only the server knows. */
export function checkNewPassword(t: Messages, password: string, email: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return t.validation.passwordLength;
  const lower = password.toLowerCase();
  const address = email.trim().toLowerCase();
  if (address && (lower === address || lower === address.split('@')[0])) return t.validation.passwordEmail;
  if (new Set(password).size < 4) return t.validation.passwordVariety;
  return null;
}

export function checkWholeNumber(t: Messages, value: number | null | undefined, min: number, max: number): string | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
    ? null
    : t.validation.wholeNumber(min, max);
}

/** A path inside this app to go to after signing in; anything else (another site) becomes "/". */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next;
}
