import { Type } from 'typebox';
import { Country, Language, Role, Uuid } from '../../schemas';

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
/** Length and strength are checked by the password policy, which can say precisely what is wrong. */
export const NewPassword = Type.String({ maxLength: 200 });
export const PersonName = Type.String({ minLength: 1, maxLength: 200 });

export const LoginBody = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

export const MembershipView = Type.Object({
  organisationId: Uuid,
  organisationName: Type.String(),
  organisationKind: Type.String(),
  /** Names from the top of the tree down to this organisation, e.g. "Region Nord / Aalborg". */
  organisationPath: Type.String(),
  role: Role,
});

export const Me = Type.Object({
  /** language: what the person chose in the web app (null: not chosen yet); downloads and mails follow it. */
  user: Type.Object({ id: Uuid, email: Type.String(), name: Type.String(), language: Type.Union([Language, Type.Null()]) }),
  memberships: Type.Array(MembershipView),
});

export const MeUpdate = Type.Object({ language: Language }, { additionalProperties: false });

/** needed: first run, no account yet; mail: whether this Ringa sends mail (SMTP_URL), so that the web app offers what it can. */
export const SetupStatus = Type.Object({ needed: Type.Boolean(), mail: Type.Boolean() });

export const PasswordResetBody = Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }) }, { additionalProperties: false });

/** The same answer for every address: whether it has an account is never told. */
export const PasswordResetAccepted = Type.Object({ accepted: Type.Literal(true) });

export const PasswordResetConfirmBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200 }), password: NewPassword },
  { additionalProperties: false },
);

/** A one-time link to set a new password; the token is after '#', so it never reaches a server log. */
export const ResetLink = Type.Object({ url: Type.String(), expiresAt: Type.String({ format: 'date-time' }) });

export const OrganisationInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: Type.String({ minLength: 1, maxLength: 60 }),
    country: Country,
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const AccountInput = Type.Object(
  { name: PersonName, email: Email, password: NewPassword },
  { additionalProperties: false },
);

export const SetupBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200 }), organisation: OrganisationInput, user: AccountInput },
  { additionalProperties: false },
);
