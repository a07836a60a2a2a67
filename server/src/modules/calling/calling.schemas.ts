import { Type } from 'typebox';
import { Compile } from 'typebox/compile';
import { Timestamp, Uuid } from '../../schemas';
import { OutcomeCode } from '../campaigns/campaigns.schemas';

// The calling events' payloads, checked on arrival: a socket gets { ok: false, error } for any other shape.

export const CampaignRequest = Type.Object({ campaignId: Uuid }, { additionalProperties: false });

export const CompleteCall = Type.Object(
  {
    assignmentId: Uuid,
    /** Made by the client once per call; the same key again saves nothing new. */
    key: Type.String({ minLength: 8, maxLength: 100 }),
    outcome: OutcomeCode,
    answers: Type.Record(Type.String({ maxLength: 40 }), Type.Union([Type.Boolean(), Type.String({ maxLength: 2000 }), Type.Array(Type.String({ maxLength: 60 }), { maxItems: 30 })])),
    notes: Type.Optional(Type.String({ maxLength: 5000 })),
    noteForNext: Type.Optional(Type.String({ maxLength: 1000 })),
    flag: Type.Optional(Type.String({ maxLength: 1000 })),
    callbackAt: Type.Optional(Timestamp),
    next: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const ReleaseContact = Type.Object({ assignmentId: Uuid }, { additionalProperties: false });

export const checkCampaignRequest = Compile(CampaignRequest);
export const checkCompleteCall = Compile(CompleteCall);
export const checkReleaseContact = Compile(ReleaseContact);
