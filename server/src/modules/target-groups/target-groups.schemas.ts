import { Type } from 'typebox';
import { Timestamp, Uuid } from '../../schemas';

const Attribute = Type.String({ minLength: 1, maxLength: 200 });

export const Filter = Type.Union([
  Type.Object({ attribute: Attribute, op: Type.Literal('equals'), value: Type.String({ maxLength: 500 }) }, { additionalProperties: false }),
  Type.Object(
    { attribute: Attribute, op: Type.Literal('oneOf'), values: Type.Array(Type.String({ maxLength: 500 }), { minItems: 1, maxItems: 500 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { attribute: Attribute, op: Type.Literal('range'), min: Type.Optional(Type.Number()), max: Type.Optional(Type.Number()) },
    { additionalProperties: false },
  ),
  Type.Object({ attribute: Attribute, op: Type.Literal('prefix'), value: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
]);

export const TargetGroupInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    listIds: Type.Array(Uuid, { minItems: 1, maxItems: 100 }),
    filters: Type.Array(Filter, { maxItems: 20 }),
  },
  { additionalProperties: false },
);

export const SizeRequest = Type.Object(
  { listIds: Type.Array(Uuid, { minItems: 1, maxItems: 100 }), filters: Type.Array(Filter, { maxItems: 20 }) },
  { additionalProperties: false },
);

export const SizeAnswer = Type.Object({
  /** People in the lists who pass every filter. */
  size: Type.Integer(),
  /** Of those, how many are on the do-not-call register and will not be called. */
  doNotCall: Type.Integer(),
});

export const TargetGroupView = Type.Object({
  id: Uuid,
  organisationId: Uuid,
  name: Type.String(),
  listIds: Type.Array(Uuid),
  filters: Type.Array(Filter),
  size: Type.Integer(),
  doNotCall: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const TargetGroupList = Type.Object({ targetGroups: Type.Array(TargetGroupView) });
export const TargetGroupParams = Type.Object({ groupId: Uuid });

export const AttributeSummary = Type.Object({
  attributes: Type.Array(
    Type.Object({
      name: Type.String(),
      /** Up to 20 of the most common values, for the editor's pickers. */
      values: Type.Array(Type.Object({ value: Type.String(), count: Type.Integer() })),
      numeric: Type.Boolean(),
    }),
  ),
});

export const AttributeQuery = Type.Object({ listIds: Type.String({ minLength: 36 }) }, { additionalProperties: false });
