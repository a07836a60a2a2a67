import { describe, expect, test } from 'vitest';
import { checkNotice, fillNotice, sourcesPhrase } from './notice';

describe('the notice as text', () => {
  test('each source once, recorded ones first, joined as the language joins a list', () => {
    const broker = { kind: 'broker', name: 'Företaget AB' } as const;
    const members = { kind: 'members', name: '' } as const;
    const unknown = { kind: null, name: '' } as const;
    expect(sourcesPhrase('sv', [unknown, broker, members, broker])).toBe('en adresslista som vi köpt från Företaget AB och vårt medlemsregister');
    expect(sourcesPhrase('da', [members, { kind: 'signup', name: '' }, { kind: 'other', name: 'vores stand på torvet' }])).toBe('vores medlemsregister, din tilmelding hos os og vores stand på torvet');
    expect(sourcesPhrase('nb', [])).toBe('en av kontaktlistene våre');
    expect(sourcesPhrase('en', [unknown])).toBe('one of our contact lists');
  });

  test('placeholders are filled everywhere they stand; anything else in braces is refused', () => {
    expect(fillNotice('{organisation} – {source} – {organisation}', { organisation: 'S Centrum', source: 'vårt medlemsregister' })).toBe('S Centrum – vårt medlemsregister – S Centrum');
    expect(checkNotice(' Hej från {organisation}. ')).toBe('Hej från {organisation}.');
    expect(() => checkNotice('Hej {name}')).toThrow(/\{name\}/);
    expect(() => checkNotice('Hej {{organisation}}')).toThrow(/Ringa cannot fill/);
  });
});
