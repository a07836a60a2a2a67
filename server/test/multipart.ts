import { randomBytes } from 'node:crypto';

/** A multipart/form-data body, as a browser's FormData sends it, for app.inject. */
export function multipart(
  fields: Record<string, string>,
  file?: { field: string; filename: string; content: Buffer | string; type?: string },
): { payload: Buffer; contentType: string } {
  const boundary = `----ringa${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\nContent-Type: ${file.type ?? 'text/csv'}\r\n\r\n`,
      ),
      Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** The form fields of a list from the party's own member register, on the members' basis: what seeded lists are unless a test says otherwise. */
export const MEMBER_REGISTER_FIELDS: Readonly<Record<string, string>> = { source: 'members', basis: 'members' };

/** A list import's body, as the web app sends it: a member register unless `fields` say where else the list came from. */
export function listImport(
  fields: Record<string, string>,
  file: { field: string; filename: string; content: Buffer | string; type?: string },
): { payload: Buffer; contentType: string } {
  return multipart({ ...MEMBER_REGISTER_FIELDS, ...fields }, file);
}
