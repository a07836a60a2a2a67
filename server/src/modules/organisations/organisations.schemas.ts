import { Type } from 'typebox';
import { Country, Role, Timestamp, Uuid } from '../../schemas';

export const OrganisationView = Type.Object({
  id: Uuid,
  parentId: Type.Union([Uuid, Type.Null()]),
  name: Type.String(),
  kind: Type.String(),
  country: Country,
  timeZone: Type.String(),
  path: Type.String(),
  /** The strongest role the signed-in user holds here, directly or through an ancestor. */
  myRole: Role,
});

export const OrganisationList = Type.Object({ organisations: Type.Array(OrganisationView) });

export const CreateOrganisationBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    kind: Type.String({ minLength: 1, maxLength: 60 }),
    country: Type.Optional(Country),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const MemberView = Type.Object({
  userId: Uuid,
  name: Type.String(),
  email: Type.String(),
  role: Role,
  disabled: Type.Boolean(),
  since: Timestamp,
  /** Where the membership is: this organisation, or (with subOrganisations) one beneath it. */
  organisationId: Uuid,
  organisationName: Type.String(),
});

/** subOrganisations: also the members of every organisation beneath this one. */
export const MembersQuery = Type.Object({ subOrganisations: Type.Optional(Type.Boolean()) }, { additionalProperties: false });

export const MemberList = Type.Object({ members: Type.Array(MemberView) });

export const MemberParams = Type.Object({ orgId: Uuid, userId: Uuid });

export const ChangeRoleBody = Type.Object({ role: Role }, { additionalProperties: false });
