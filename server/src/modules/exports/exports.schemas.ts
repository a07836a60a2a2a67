import { Type, type Static } from 'typebox';
import { Language } from '../../schemas';

/** Semicolon is what Excel expects in Sweden and Denmark (where the comma is the decimal sign). */
export const Separator = Type.Union([Type.Literal('semicolon'), Type.Literal('comma')]);
export type SeparatorValue = Static<typeof Separator>;

export const CallsExportQuery = Type.Object({ separator: Type.Optional(Separator), lang: Type.Optional(Language) }, { additionalProperties: false });
