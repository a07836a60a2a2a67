import { Type } from 'typebox';
import { Timestamp, Uuid } from '../../schemas';

export const AuditAction = Type.Union([
  Type.Literal('setup.completed'),
  Type.Literal('auth.login'),
  Type.Literal('auth.login-failed'),
  Type.Literal('auth.logout'),
  Type.Literal('auth.rate-limited'),
  Type.Literal('auth.reset-link-mailed'),
  Type.Literal('auth.password-reset'),
  Type.Literal('user.created'),
  Type.Literal('user.disabled'),
  Type.Literal('user.reset-link-created'),
  Type.Literal('membership.added'),
  Type.Literal('membership.role-changed'),
  Type.Literal('membership.removed'),
  Type.Literal('invite.created'),
  Type.Literal('invite.revoked'),
  Type.Literal('invite.accepted'),
  Type.Literal('invite.mailed'),
  Type.Literal('organisation.created'),
  Type.Literal('campaign.calls-exported'),
  Type.Literal('list.source-recorded'),
  Type.Literal('organisation.notice-changed'),
  Type.Literal('campaign.notice-changed'),
  Type.Literal('person.searched'),
  Type.Literal('person.viewed'),
  Type.Literal('person.corrected'),
  Type.Literal('person.do-not-call'),
  Type.Literal('person.exported'),
  Type.Literal('person.erased'),
  Type.Literal('organisation.retention-changed'),
]);

export const AuditDetails = Type.Record(
  Type.String(),
  Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]),
);

export const AuditEventView = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  action: AuditAction,
  organisationId: Type.Union([Uuid, Type.Null()]),
  organisationName: Type.Union([Type.String(), Type.Null()]),
  actorName: Type.Union([Type.String(), Type.Null()]),
  targetName: Type.Union([Type.String(), Type.Null()]),
  details: AuditDetails,
});

export const AuditList = Type.Object({ events: Type.Array(AuditEventView) });

export const AuditQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    before: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
