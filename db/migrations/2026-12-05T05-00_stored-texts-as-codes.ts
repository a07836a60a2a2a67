import { sql, type Kysely } from 'kysely';

// Frozen: texts Ringa wrote in English are kept as codes, and worded in the reader's language when shown.
// - An import's problem rows keep their reason as a code and its values (jsonb), e.g.
//   {"code": "too-short", "value": "123", "country": "SE"}; the English sentences already stored are read
//   back into that form, and one this migration does not recognise is kept as {"code": "text", "text": …}.
// - A do-not-call entry made during a call keeps no reason of its own (its source 'call' says it); the
//   English sentence stored until now is emptied.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function ringa_problem_reason(reason text) returns jsonb language plpgsql immutable as $$
    declare
      m text[];
      countries constant text[] := array['Swedish', 'Danish', 'Norwegian', 'Finnish'];
      codes constant text[] := array['SE', 'DK', 'NO', 'FI'];
    begin
      if reason = 'The phone number is empty.' then return '{"code": "empty"}'; end if;
      if reason = 'The row has no phone number.' then return '{"code": "no-number"}'; end if;
      m := regexp_match(reason, '^Excel turned this number into scientific notation \\((.*)\\); the digits are lost\\.$');
      if m is not null then return jsonb_build_object('code', 'scientific-notation', 'value', m[1]); end if;
      m := regexp_match(reason, '^This number has lost its leading zero \\((.*)\\); it was probably 0([0-9]+)\\. Format the column as text in Excel, type the number again and export once more\\.$');
      if m is not null then return jsonb_build_object('code', 'lost-leading-zero', 'value', m[1], 'digits', m[2]); end if;
      m := regexp_match(reason, '^"(.*)" is not a phone number\\.$');
      if m is not null then return jsonb_build_object('code', 'not-a-number', 'value', m[1]); end if;
      m := regexp_match(reason, '^(.*) is (too short to be|too long to be|not) a (valid )?(?:(Swedish|Danish|Norwegian|Finnish) )?phone number\\.$');
      if m is not null and (m[2] = 'not') = (m[3] is not null) then
        return jsonb_build_object(
          'code', case m[2] when 'too short to be' then 'too-short' when 'too long to be' then 'too-long' else 'invalid' end,
          'value', m[1],
          'country', codes[array_position(countries, m[4])]
        );
      end if;
      m := regexp_match(reason, '^(.*) does not start with a known country code\\.$');
      if m is not null then return jsonb_build_object('code', 'unknown-country-code', 'value', m[1]); end if;
      m := regexp_match(reason, '^The number (\\+[0-9]+) is already on row ([0-9]+) of this file\\.$');
      if m is not null then return jsonb_build_object('code', 'duplicate', 'number', m[1], 'row', m[2]::integer); end if;
      m := regexp_match(reason, '^The number (\\+[0-9]+) is on the do-not-call register\\.$');
      if m is not null then return jsonb_build_object('code', 'suppressed', 'number', m[1]); end if;
      return jsonb_build_object('code', 'text', 'text', reason);
    end $$;

    alter table list_row_problem alter column reason type jsonb using ringa_problem_reason(reason);
    drop function ringa_problem_reason(text);

    update do_not_call set reason = '' where source = 'call' and reason = 'Asked during a call not to be called again.';
  `.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time and must not know the app's schema
export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table list_row_problem alter column reason type text using case when reason ->> 'code' = 'text' then reason ->> 'text' else reason::text end;
    update do_not_call set reason = 'Asked during a call not to be called again.' where source = 'call' and reason = '';
  `.execute(db);
}
