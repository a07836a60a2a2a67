import { describe, expect, test } from 'vitest';
import { renderInline, renderScript, unknownFields, type ScriptContext } from './render';

const context = (person: Partial<ScriptContext['person']> = {}, callerName = 'Karin Sjögren'): ScriptContext => ({
  person: { firstName: 'Anna', lastName: 'Andersson', attributes: { Ort: 'Norrköping', Postnr: '602 34' }, ...person },
  callerName,
  attributes: ['Ort', 'Postnr', 'Födelseår'],
  missing: (field) => `(no ${field})`,
});

/** The text a reader sees: tags dropped, entities read. */
function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** Every tag in the output, by name: what a browser would turn into elements. */
function tags(html: string): string[] {
  return [...html.matchAll(/<\/?([a-z][a-z0-9]*)/gi)].map((match) => (match[1] ?? '').toLowerCase());
}

describe('merge fields', () => {
  test('are filled in with the person, the caller and the shown attributes', () => {
    const html = renderScript('Hej {first_name} {last_name}! Jag heter {caller_name} och ringer om {attr:Ort}.', context());
    expect(visibleText(html).trim()).toBe('Hej Anna Andersson! Jag heter Karin Sjögren och ringer om Norrköping.');
    expect(html).toContain('<span class="merge-field" data-field="first_name">Anna</span>');
    expect(html).toContain('<span class="merge-field" data-field="Ort">Norrköping</span>');
  });

  test('tolerate spaces inside the braces and attribute names with spaces and non-ASCII letters', () => {
    const html = renderScript('{ first_name }, född {attr: Födelseår }', context({ attributes: { Födelseår: '1990' } }));
    expect(visibleText(html).trim()).toBe('Anna, född 1990');
  });

  test('an unknown field, or an attribute callers are not shown, is kept as written and marked', () => {
    const html = renderScript('Hej {frist_name}, bor du i {attr:Kommun}?', context());
    expect(html).toContain('<mark class="merge-field unknown">{frist_name}</mark>');
    expect(html).toContain('<mark class="merge-field unknown">{attr:Kommun}</mark>');
    expect(unknownFields('Hej {frist_name} {first_name} {attr:Kommun} {frist_name}', ['Ort'])).toEqual(['{frist_name}', '{attr:Kommun}']);
  });

  test('a known field without a value for this person shows the placeholder, marked as missing', () => {
    const html = renderScript('Du bor i {attr:Postnr}, {last_name}.', context({ lastName: '  ', attributes: {} }));
    expect(html).toContain('<span class="merge-field missing" data-field="Postnr">(no Postnr)</span>');
    expect(html).toContain('<span class="merge-field missing" data-field="last_name">(no last_name)</span>');
  });

  test('values are text, never Markdown: a name with asterisks or brackets stays as it is', () => {
    const html = renderScript('Hej {first_name}!', context({ firstName: '*Anna* [x](https://evil.example)' }));
    expect(visibleText(html).trim()).toBe('Hej *Anna* [x](https://evil.example)!');
    expect(tags(html)).toEqual(['p', 'span', 'span', 'p']);
  });

  test('fields work inside emphasis, headings, lists and code', () => {
    const html = renderScript('# Hej {first_name}\n\n- **{attr:Ort}**\n\n`{last_name}`', context());
    expect(html).toContain('<h1>Hej <span class="merge-field" data-field="first_name">Anna</span></h1>');
    expect(html).toContain('<strong><span class="merge-field" data-field="Ort">Norrköping</span></strong>');
    expect(html).toContain('<code>Andersson</code>');
  });
});

describe('nothing from the script or a person runs or loads', () => {
  test('a <script> in the script is shown as text', () => {
    const html = renderScript('Hej <script>alert(1)</script> där', context());
    expect(tags(html)).toEqual(['p', 'p']);
    expect(visibleText(html).trim()).toBe('Hej <script>alert(1)</script> där');
  });

  test('an <img onerror> in the script is shown as text', () => {
    const html = renderScript('<img src=x onerror="alert(1)">', context());
    expect(tags(html)).toEqual(['p', 'p']);
    expect(visibleText(html).trim()).toBe('<img src=x onerror="alert(1)">');
  });

  test('HTML in a merge-field value is shown as text', () => {
    const html = renderScript('Hej {first_name} från {attr:Ort}', context({ firstName: '<b>x</b>', attributes: { Ort: '<img src=x onerror=alert(1)>' } }));
    expect(tags(html)).toEqual(['p', 'span', 'span', 'span', 'span', 'p']);
    expect(visibleText(html).trim()).toBe('Hej <b>x</b> från <img src=x onerror=alert(1)>');
    const inline = renderInline('Vill du, {first_name}?', context({ firstName: '<script>alert(1)</script>' }));
    expect(tags(inline)).toEqual(['span', 'span']);
  });

  test('a value cannot break out of an attribute', () => {
    const html = renderScript('{first_name}', context({ firstName: '"><script>alert(1)</script>' }));
    expect(tags(html)).toEqual(['p', 'span', 'span', 'p']);
  });

  test('javascript:, data: and vbscript: links are not links', () => {
    for (const href of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'jav&#x61;script:alert(1)', 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', 'vbscript:msgbox(1)']) {
      const html = renderScript(`[klicka](${href}) <${href}>`, context());
      expect(tags(html), href).toEqual(['p', 'p']);
      expect(html).not.toMatch(/href/i);
    }
    const reference = renderScript('[klicka][x]\n\n[x]: javascript:alert(1)', context());
    expect(reference).not.toMatch(/href/i);
  });

  test('a merge field cannot turn a link into a javascript: link', () => {
    const html = renderScript('[läs mer]({attr:Ort}) och [sök](https://example.org/?q={attr:Ort})', context({ attributes: { Ort: 'javascript:alert(1)' } }));
    expect(html).not.toContain('href="javascript');
    expect(html).toContain('href="https://example.org/?q=javascript%3Aalert(1)"');
  });

  test('images are not loaded', () => {
    const html = renderScript('![bild](https://tracker.example/pixel.gif)', context());
    expect(tags(html)).not.toContain('img');
  });

  test('http, https, mailto and tel links open in a new tab without access to this page', () => {
    const html = renderScript('[Möte](https://meet.example/abc) [mejl](mailto:info@example.org) [ring](tel:+46701234567) https://example.org', context());
    expect(html).toContain('<a href="https://meet.example/abc" target="_blank" rel="noopener noreferrer">Möte</a>');
    expect(html).toContain('<a href="mailto:info@example.org" target="_blank" rel="noopener noreferrer">mejl</a>');
    expect(html).toContain('<a href="tel:+46701234567" target="_blank" rel="noopener noreferrer">ring</a>');
    expect(html).toContain('<a href="https://example.org" target="_blank" rel="noopener noreferrer">https://example.org</a>');
  });

  test('relative links, which would move the caller away from their screen, are not links', () => {
    expect(renderScript('[här](/orgs) [där](//evil.example)', context())).not.toMatch(/href/i);
  });
});
