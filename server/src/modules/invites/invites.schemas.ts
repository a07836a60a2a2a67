import { Type } from 'typebox';
import { AccountInput, Email } from '../accounts/accounts.schemas';
import { Language, Role, Timestamp, Uuid } from '../../schemas';

export const InviteStatus = Type.Union([
  Type.Literal('active'),
  Type.Literal('expired'),
  Type.Literal('used-up'),
  Type.Literal('revoked'),
]);

export const InviteView = Type.Object({
  id: Uuid,
  organisationId: Uuid,
  role: Role,
  status: InviteStatus,
  createdAt: Timestamp,
  createdByName: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Timestamp,
  maxUses: Type.Integer(),
  uses: Type.Integer(),
  revokedAt: Type.Union([Timestamp, Type.Null()]),
});

export const InviteList = Type.Object({ invites: Type.Array(InviteView) });

export const CreateInviteBody = Type.Object(
  {
    role: Role,
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: 7 })),
    maxUses: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 1 })),
    /** Mails the link to this address (when Ringa sends mail), in `language` (default: the organisation's country's). */
    mail: Type.Optional(Type.Object({ to: Email, language: Type.Optional(Language) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

/**
 * The link carries its token after '#', so it never reaches a server log; it is shown only once.
 * mailed: when a mail was asked for, whether the mail server took it (if not, the link is still here to pass on).
 */
export const CreatedInvite = Type.Object({ invite: InviteView, url: Type.String(), mailed: Type.Optional(Type.Boolean()) });

export const InviteParams = Type.Object({ orgId: Uuid, inviteId: Uuid });

export const InviteTokenBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const InvitePreview = Type.Object({
  organisationName: Type.String(),
  organisationPath: Type.String(),
  role: Role,
});

export const AcceptInviteBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200 }), account: Type.Optional(AccountInput) },
  { additionalProperties: false },
);
