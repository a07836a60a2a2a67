// Every error code the server can answer with has a text in every language (the typecheck makes sure
// of the keys); these check what the typecheck cannot: that no text is empty and that none was left
// in English in a Swedish, Danish or Norwegian table.
import { describe, expect, test } from 'vitest';
import { ERROR_CODES } from '../../../../server/src/contract/errors';
import { LANGUAGES } from '../../../../server/src/contract/language';
import { errorTexts } from './error-texts';

describe('error texts', () => {
  test.each(LANGUAGES)('every error code has a text in %s', (language) => {
    const missing = ERROR_CODES.filter((code) => !errorTexts[language][code]?.trim());
    expect(missing).toEqual([]);
  });

  test.each(['sv', 'da', 'nb'] as const)('no %s text is the English one', (language) => {
    // Names of Twilio's own fields are the same in every language; the sentences around them are not.
    const english = ERROR_CODES.filter((code) => errorTexts[language][code] === errorTexts.en[code]);
    expect(english).toEqual([]);
  });

  test('Norwegian is not Danish left as it was', () => {
    // A few short sentences are written the same in both languages ("Filen er tom.").
    const same = ['own_account', 'empty_file', 'invalid_auth_token'];
    const danish = ERROR_CODES.filter((code) => errorTexts.nb[code] === errorTexts.da[code] && !same.includes(code));
    expect(danish).toEqual([]);
  });
});
