import { Type } from 'typebox';
import { ERROR_CODES, type ErrorCode } from './contract/errors';

// Schema pieces every module's routes share. Validation happens at the edges with these.

export const Uuid = Type.String({ format: 'uuid' });
export const Timestamp = Type.String({ format: 'date-time' });

export const Role = Type.Union([Type.Literal('admin'), Type.Literal('organizer'), Type.Literal('caller')]);
export const Country = Type.Union([Type.Literal('SE'), Type.Literal('DK'), Type.Literal('NO'), Type.Literal('FI')]);
/** A language Ringa speaks (contract/language.ts). */
export const Language = Type.Union([Type.Literal('sv'), Type.Literal('da'), Type.Literal('nb'), Type.Literal('en')]);
/** The query of a download that takes nothing but the language to write it in. */
export const LanguageQuery = Type.Object({ lang: Type.Optional(Language) }, { additionalProperties: false });

/** One of the contract's error codes (contract/errors.ts); `message` is English, for API users and logs. */
export const ErrorCodeSchema = Type.Unsafe<ErrorCode>({ type: 'string', enum: [...ERROR_CODES] });

export const ErrorResponse = Type.Object({
  error: Type.Object({ code: ErrorCodeSchema, message: Type.String() }),
});

/** The error answers a route may give, for its OpenAPI description. */
export function errors(...statuses: number[]): Record<number, typeof ErrorResponse> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorResponse]));
}

export const OrgParams = Type.Object({ orgId: Uuid });

/** This socket is closed by the server, and why: the user opened more sockets (tabs, windows) than the server keeps; this was the oldest. */
export const ConnectionClosedEvent = Type.Object({ reason: Type.Literal('too-many-connections') });

/** A socket request about one organisation (lists:watch, stats:watch). */
export const OrganisationRequest = Type.Object({ organisationId: Uuid }, { additionalProperties: false });
