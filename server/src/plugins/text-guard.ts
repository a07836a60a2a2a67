import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { badRequest } from '../errors';

// Text PostgreSQL cannot store — a NUL character (22021) or half of a surrogate pair (22P02, which
// JSON.parse makes of a "\ud800" escape) — is bad input, found once here for every request and
// socket event instead of in each schema.

/** With the u flag a lone surrogate is a code point of category Cs; a well-formed pair is not. */
const UNSTORABLE = /[\0\p{Cs}]/u;

/**
 * The path of the first string (value or key) in a parsed JSON-like value that holds a NUL character
 * or a lone surrogate, as `notes`, `answers.q1` or `items[2]`; `''` for the value itself; null when
 * there is none. Iterative, so a deeply nested payload cannot overflow the stack.
 */
export function findUnstorableText(value: unknown): string | null {
  const stack: { value: unknown; path: string }[] = [{ value, path: '' }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const current = item.value;
    if (typeof current === 'string') {
      if (UNSTORABLE.test(current)) return item.path;
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i -= 1) stack.push({ value: current[i] as unknown, path: `${item.path}[${i}]` });
    } else if (isPlainObject(current)) {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [key, child] = entries[i] as [string, unknown];
        const path = item.path ? `${item.path}.${key}` : key;
        if (UNSTORABLE.test(key)) return path;
        stack.push({ value: child, path });
      }
    }
  }
  return null;
}

// Only what a parser makes: plain objects, or ones whose prototype has none (the query string
// parser's); streams, buffers, dates and files are not walked.
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || prototype === Object.prototype || Object.getPrototypeOf(prototype) === null;
}

/** The message for a field with unstorable text; `field` is '' when the whole value is the text. */
export function unstorableTextMessage(field: string): string {
  const what = field ? `The field "${field}"` : 'The text';
  return `${what} contains a character that cannot be saved (a NUL character or half of a surrogate pair). Remove it and send again.`;
}

/** Throws 400 invalid_payload naming the field when the value holds unstorable text. */
export function rejectUnstorableText(value: unknown, prefix = ''): void {
  const found = findUnstorableText(value);
  if (found === null) return;
  throw badRequest('invalid_payload', unstorableTextMessage(prefix && found ? `${prefix}.${found}` : prefix || found));
}

/** Every route's body, query string and path parameters are checked before their schema is. */
export default fp(
  async function textGuard(app: FastifyInstance) {
    app.addHook('preValidation', async (request) => {
      rejectUnstorableText(request.params, 'params');
      rejectUnstorableText(request.query, 'query');
      rejectUnstorableText(request.body, 'body');
    });
  },
  { name: 'text-guard' },
);
