import type { ErrorCode } from './contract/errors';

/** An error a person can act on: a stable machine code, an HTTP status and a plain message. */
export class AppError extends Error {
  constructor(
    public readonly statusCode: number,
    public readonly code: ErrorCode,
    message: string,
    public readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: ErrorCode, message: string) => new AppError(400, code, message);
export const unauthenticated = () => new AppError(401, 'unauthenticated', 'Please sign in.');
export const forbidden = (message = 'Your role does not allow this.') => new AppError(403, 'forbidden', message);
export const notFound = (what = 'That') => new AppError(404, 'not_found', `${what} was not found.`);
export const conflict = (code: ErrorCode, message: string) => new AppError(409, code, message);
