// The script as a caller reads it: the organizer's Markdown with the person's details filled in.
// Used by the organizer's preview and by the caller's screen, so both show exactly the same thing.
//
// Safety: Markdown is parsed with HTML off, so whatever the organizer types is text; links may only
// go to http(s), mailto and tel addresses and open in a new tab; images are off (a script must not
// load anything from elsewhere). Merge fields are swapped for placeholders before parsing and their
// values put back into the parsed tokens, so a value is never read as Markdown or HTML: a person
// named <b>x</b> or *x* is shown exactly so.
import MarkdownIt from 'markdown-it';
import type { StateCore, Token } from 'markdown-it';

/** The person a script is filled in for, as the caller gets them. */
export interface ScriptPerson {
  firstName: string;
  lastName: string;
  attributes: Readonly<Record<string, string>>;
}

export interface ScriptContext {
  person: ScriptPerson;
  callerName: string;
  /** The attributes callers are shown; {attr:X} for any other X never gets a value, so it is marked. */
  attributes: readonly string[];
  /** What stands in for a known field that has no value for this person, e.g. "(no Ort)". */
  missing: (field: string) => string;
}

/** The fields a script can use besides {attr:Name}. */
export const PERSON_FIELDS = ['first_name', 'last_name', 'caller_name'] as const;
export type PersonField = (typeof PERSON_FIELDS)[number];

export type MergeField = { kind: PersonField } | { kind: 'attr'; name: string } | { kind: 'unknown'; text: string };

/** A field as written in a script: {first_name}, {attr:Ort}. */
export function fieldText(field: PersonField | { attr: string }): string {
  return typeof field === 'string' ? `{${field}}` : `{attr:${field.attr}}`;
}

/** Anything in braces on one line is taken for a merge field, so a misspelt one is marked rather than read out. */
const FIELD = /\{([^{}\n]{1,200})\}/g;

/** What the text between the braces names. An attribute not shown to callers counts as unknown. */
export function parseField(inner: string, attributes: readonly string[]): MergeField {
  const trimmed = inner.trim();
  if ((PERSON_FIELDS as readonly string[]).includes(trimmed)) return { kind: trimmed as PersonField };
  const attr = /^attr:(.+)$/s.exec(trimmed);
  if (attr?.[1] !== undefined) {
    const name = attr[1].trim();
    if (attributes.includes(name)) return { kind: 'attr', name };
  }
  return { kind: 'unknown', text: `{${inner}}` };
}

/** The fields of a script the caller's screen cannot fill in, each once, in order: for the editor's warning. */
export function unknownFields(text: string, attributes: readonly string[]): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(FIELD)) {
    const field = parseField(match[1] ?? '', attributes);
    if (field.kind === 'unknown') found.add(field.text);
  }
  return [...found];
}

type Resolved = { state: 'value'; text: string; field: string } | { state: 'missing'; text: string; field: string } | { state: 'unknown'; text: string };

function resolve(field: MergeField, context: ScriptContext): Resolved {
  if (field.kind === 'unknown') return { state: 'unknown', text: field.text };
  const name = field.kind === 'attr' ? field.name : field.kind;
  let value: string | undefined;
  switch (field.kind) {
    case 'first_name':
      value = context.person.firstName;
      break;
    case 'last_name':
      value = context.person.lastName;
      break;
    case 'caller_name':
      value = context.callerName;
      break;
    case 'attr':
      value = Object.hasOwn(context.person.attributes, field.name) ? context.person.attributes[field.name] : undefined;
      break;
  }
  const text = value?.trim() ?? '';
  return text ? { state: 'value', text, field: name } : { state: 'missing', text: context.missing(name), field: name };
}

interface Env {
  placeholder: RegExp;
  fields: Resolved[];
}

const SAFE_LINK = /^(https?:\/\/|mailto:|tel:)/i;

function createMarkdown(): MarkdownIt {
  const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false });
  md.disable('image');
  md.validateLink = (url) => SAFE_LINK.test(url.trim());
  md.core.ruler.push('merge_fields', fillFields);
  md.renderer.rules.merge_field = (tokens, index) => {
    const field = (tokens[index]?.meta as { resolved: Resolved } | undefined)?.resolved;
    if (!field) return '';
    const text = md.utils.escapeHtml(field.text);
    if (field.state === 'unknown') return `<mark class="merge-field unknown">${text}</mark>`;
    return `<span class="merge-field${field.state === 'missing' ? ' missing' : ''}" data-field="${md.utils.escapeHtml(field.field)}">${text}</span>`;
  };
  md.renderer.rules.link_open = (tokens, index, options, _env, self) => {
    const token = tokens[index];
    if (token) {
      token.attrSet('target', '_blank');
      token.attrSet('rel', 'noopener noreferrer');
    }
    return self.renderToken(tokens, index, options);
  };
  return md;
}

/** The value a placeholder stands for, in plain text: for code and for addresses. */
function plain(field: Resolved | undefined): string {
  if (!field) return '';
  return field.state === 'value' ? field.text : field.state === 'unknown' ? field.text : '';
}

function replacePlain(text: string, env: Env, encode: (value: string) => string = (value) => value): string {
  return text.replace(env.placeholder, (_match, index: string) => encode(plain(env.fields[Number(index)])));
}

/** Splits text tokens at the placeholders, so each value becomes a token of its own that is escaped on output. */
function splitText(token: Token, env: Env, state: StateCore): Token[] {
  const out: Token[] = [];
  let last = 0;
  const text = token.content;
  for (const match of text.matchAll(env.placeholder)) {
    const start = match.index;
    if (start > last) out.push(textToken(state, text.slice(last, start)));
    const field = new state.Token('merge_field', '', 0);
    field.meta = { resolved: env.fields[Number(match[1])] };
    out.push(field);
    last = start + match[0].length;
  }
  if (out.length === 0) return [token];
  if (last < text.length) out.push(textToken(state, text.slice(last)));
  return out;
}

function textToken(state: StateCore, content: string): Token {
  const token = new state.Token('text', '', 0);
  token.content = content;
  return token;
}

/** A core rule: put the values in for the placeholders, after parsing and linkify. */
function fillFields(state: StateCore): void {
  const env = state.env as Env | undefined;
  if (!env?.placeholder) return;
  for (const block of state.tokens) {
    if (block.type === 'fence' || block.type === 'code_block') block.content = replacePlain(block.content, env);
    if (block.type !== 'inline' || !block.children) continue;
    const children: Token[] = [];
    /** Links whose address turned out unsafe once filled in: their text stays, the link goes. */
    let dropped = 0;
    for (const child of block.children) {
      if (child.type === 'text') {
        children.push(...splitText(child, env, state));
      } else if (child.type === 'code_inline') {
        child.content = replacePlain(child.content, env);
        children.push(child);
      } else if (child.type === 'link_open') {
        const href = replacePlain(child.attrGet('href') ?? '', env, encodeURIComponent);
        if (SAFE_LINK.test(href)) {
          child.attrSet('href', href);
          children.push(child);
        } else {
          dropped += 1;
          children.push(textToken(state, ''));
        }
      } else if (child.type === 'link_close' && dropped > 0) {
        dropped -= 1;
        children.push(textToken(state, ''));
      } else {
        children.push(child);
      }
    }
    block.children = children;
  }
}

const markdown = createMarkdown();

/** Swaps each merge field for a placeholder of letters and digits, which Markdown leaves alone wherever it stands. */
function prepare(text: string, context: ScriptContext): { source: string; env: Env } {
  const nonce = Array.from({ length: 8 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
  const fields: Resolved[] = [];
  const source = text.replace(FIELD, (_match, inner: string) => {
    fields.push(resolve(parseField(inner, context.attributes), context));
    return `mergefield${nonce}n${fields.length - 1}x`;
  });
  return { source, env: { placeholder: new RegExp(`mergefield${nonce}n(\\d+)x`, 'g'), fields } };
}

/** The script as HTML that is safe to insert: headings, lists, emphasis, safe links and the filled-in fields. */
export function renderScript(text: string, context: ScriptContext): string {
  const { source, env } = prepare(text, context);
  return markdown.render(source, env);
}

/** One line (a question, an answer) with emphasis and fields, without paragraphs around it. */
export function renderInline(text: string, context: ScriptContext): string {
  const { source, env } = prepare(text, context);
  return markdown.renderInline(source, env);
}
