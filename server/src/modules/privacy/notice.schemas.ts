import { Type } from 'typebox';
import { Uuid } from '../../schemas';

// The first-contact notice (GDPR Art. 14) as organisations write it and organizers read it.

/** A notice as written, with its {organisation} and {source}; the database allows 1–4000 characters. */
export const NoticeText = Type.String({ minLength: 1, maxLength: 4000 });

export const NoticeLanguage = Type.Union([Type.Literal('sv'), Type.Literal('da'), Type.Literal('nb'), Type.Literal('en')]);

export const NoticeSourceKind = Type.Union([Type.Literal('broker'), Type.Literal('members'), Type.Literal('signup'), Type.Literal('other'), Type.Null()]);

const NamedOrganisation = Type.Object({ organisationId: Uuid, name: Type.String() });

export const OrganisationNotice = Type.Object({
  organisationId: Uuid,
  /** The notice in effect here, with its placeholders: the organisation's own, the nearest above, or Ringa's default. */
  notice: Type.String(),
  /** The organisation's own notice; null = inherited. */
  own: Type.Union([Type.String(), Type.Null()]),
  /** Where the notice in effect comes from: null for Ringa's default. */
  from: Type.Union([NamedOrganisation, Type.Null()]),
  /** Where it would come from without the organisation's own: the nearest organisation above with one, or null for Ringa's default. */
  inheritedFrom: Type.Union([NamedOrganisation, Type.Null()]),
  /** The language the people it calls hear (by its country). */
  language: NoticeLanguage,
  /** Ringa's default in that language, to start from. */
  defaultNotice: Type.String(),
  /** What the placeholders become, for a preview: the organisation's name, and {source} for each kind of list. */
  preview: Type.Object({
    organisation: Type.String(),
    sources: Type.Array(Type.Object({ kind: NoticeSourceKind, text: Type.String() })),
  }),
});

export const NoticeInput = Type.Object({ notice: Type.Union([NoticeText, Type.Null()]) }, { additionalProperties: false });

/** How many of a campaign's first calls (the first time someone answered) had the notice given. */
export const NoticeFigures = Type.Object({ firstCalls: Type.Integer({ minimum: 0 }), given: Type.Integer({ minimum: 0 }) });
