import type { FastifyRequest } from 'fastify';
import { acceptedLanguage, isLanguage, type Language } from './contract/language';

/**
 * The language to answer a person in, for what the server itself writes (downloads, mails): a
 * `?lang=sv|da|nb|en` on the address first, then the language kept on their account, then their
 * browser's, then `fallback` (usually the organisation's country's language, else English).
 */
export function requestLanguage(request: FastifyRequest, fallback: Language = 'en'): Language {
  const query = request.query as Record<string, unknown> | undefined;
  const asked = query?.lang;
  if (isLanguage(asked)) return asked;
  if (request.session?.language) return request.session.language;
  return acceptedLanguage(request.headers['accept-language']) ?? fallback;
}
