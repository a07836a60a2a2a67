import type { Language } from '../../contract/language';

/**
 * What a person hears when they answer and no caller is free (an abandoned call): who called, a number
 * to call back, and that they will not be called again for three days. Never left on a machine.
 */
export const ABANDON_MESSAGE: Record<Language, (organisation: string, callBack: string | null) => string> = {
  sv: (organisation, callBack) =>
    `Hej! Det här var ${organisation}. Vi ringde dig, men just nu var ingen av oss ledig. Förlåt för det.` +
    (callBack ? ` Du kan ringa oss på ${callBack}.` : '') +
    ' Vi ringer inte igen de närmaste tre dagarna. Hej då!',
  da: (organisation, callBack) =>
    `Hej! Det var ${organisation}. Vi ringede til dig, men lige nu var ingen af os ledige. Undskyld.` +
    (callBack ? ` Du kan ringe til os på ${callBack}.` : '') +
    ' Vi ringer ikke igen de næste tre dage. Farvel!',
  nb: (organisation, callBack) =>
    `Hei! Dette var ${organisation}. Vi ringte deg, men akkurat nå var ingen av oss ledige. Beklager.` +
    (callBack ? ` Du kan ringe oss på ${callBack}.` : '') +
    ' Vi ringer ikke igjen de neste tre dagene. Ha det bra!',
  en: (organisation, callBack) =>
    `Hello! This was ${organisation}. We called you, but none of us was free just now. We are sorry.` +
    (callBack ? ` You can call us back on ${callBack}.` : '') +
    ' We will not call you again for the next three days. Goodbye!',
};
