import { Type } from 'typebox';

// A person is named by their id only: never their name or number in a URL.
export const PersonParams = Type.Object({ personId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });

export const EraseBody = Type.Object(
  {
    /** Put the number on (or keep it on) the organisation's do-not-call register: the person asked not to be called again. */
    keepOffCalls: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const Erased = Type.Object({
  personId: Type.Integer(),
  /** Whether the number is on a do-not-call register that binds the person's organisation, as an erasure request only. */
  keptOnDoNotCall: Type.Boolean(),
});
