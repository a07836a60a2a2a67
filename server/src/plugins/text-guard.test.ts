import { describe, expect, test } from 'vitest';
import { findUnstorableText } from './text-guard';

describe('findUnstorableText', () => {
  test.each([
    ['clean text, emoji (a well-formed surrogate pair) and Nordic letters', { name: 'Åsa Öberg 😀', answers: { q1: 'ja', q2: ['a', 'b'] } }, null],
    ['a NUL character', { notes: 'a\u0000b' }, 'notes'],
    ['a lone high surrogate', { notes: 'a\ud800' }, 'notes'],
    ['a lone low surrogate', { notes: '\udc00b' }, 'notes'],
    ['a surrogate pair in the wrong order', { notes: '\ude00\ud83d' }, 'notes'],
    ['nested in a record', { answers: { q1: 'fine', q2: 'x\u0000' } }, 'answers.q2'],
    ['in an array', { answers: { q3: ['ok', 'bad\ud800'] } }, 'answers.q3[1]'],
    ['in a key', { answers: { 'q\u0000': true } }, 'answers.q\u0000'],
    ['the value itself', 'x\u0000', ''],
    ['from a JSON escape', JSON.parse('{"email":"a\\ud800@example.org"}') as unknown, 'email'],
  ])('%s', (_what, value, expected) => {
    expect(findUnstorableText(value)).toBe(expected);
  });

  test('a deeply nested value is walked without overflowing the stack', () => {
    let value: unknown = 'x\u0000';
    for (let i = 0; i < 100_000; i += 1) value = [value];
    expect(findUnstorableText(value)).toMatch(/^(\[0\]){100000}$/);
  });

  test('buffers and class instances are left alone (file contents are not this guard’s)', () => {
    expect(findUnstorableText({ file: Buffer.from('a\u0000b'), when: new Date() })).toBeNull();
  });
});
