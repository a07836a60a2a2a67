import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { AppError, badRequest } from '../../errors';
import { findUnstorableText, unstorableTextMessage } from '../../plugins/text-guard';

export interface Upload {
  path: string;
  originalName: string;
  fields: Record<string, string>;
}

/** An upload's file name: the process that keeps it, so that another process's start can tell a crash's leftovers. */
const UPLOAD_NAME = /^(\d+)-[0-9a-f]{16}$/;

/**
 * Makes the folder uploads are kept in while they are read (only Ringa's user may enter it) and
 * removes what a process that crashed or was killed left there: a list of names and numbers.
 * Uploads of other processes still running on the same folder are left alone.
 */
export async function prepareUploadDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  for (const name of await readdir(dir)) {
    const pid = Number(UPLOAD_NAME.exec(name)?.[1] ?? Number.NaN);
    // Our own pid is a predecessor's (containers reuse pid 1): this process has saved nothing yet.
    if (Number.isInteger(pid) && (pid === process.pid || !processRuns(pid))) await rm(path.join(dir, name), { force: true });
  }
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Saves a multipart upload's one file into `uploadDir` (the import reads it twice: to check it,
 * then to import it) and collects the text fields. The caller removes the file.
 */
export async function receiveUpload(request: FastifyRequest, maxBytes: number, uploadDir: string): Promise<Upload> {
  if (!request.isMultipart()) throw new AppError(415, 'unsupported_media_type', 'Send the file as multipart/form-data with a field named "file".');
  const fields: Record<string, string> = {};
  let saved: { path: string; originalName: string } | undefined;
  try {
    for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 100_000 } })) {
      if (part.type === 'field') {
        if (typeof part.value === 'string') fields[part.fieldname] = part.value;
        continue;
      }
      if (part.fieldname !== 'file' || saved) {
        part.file.resume();
        continue;
      }
      const target = path.join(uploadDir, `${process.pid}-${randomBytes(8).toString('hex')}`);
      saved = { path: target, originalName: part.filename };
      await pipeline(part.file, createWriteStream(target, { mode: 0o600 }));
      if (part.file.truncated) {
        throw new AppError(413, 'file_too_large', `The file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB, the most Ringa takes. Split it into smaller files.`);
      }
    }
  } catch (error) {
    if (saved) await rm(saved.path, { force: true });
    if (error instanceof AppError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT') {
      throw new AppError(413, 'file_too_large', `The upload is too large: send one file of at most ${Math.round(maxBytes / 1024 / 1024)} MB.`);
    }
    throw badRequest('invalid_upload', 'The upload could not be read. Try again.');
  }
  if (!saved) throw badRequest('no_file', 'Choose a file to upload (the form field "file").');
  // The form's text fields come out of the stream here, after the hook that checks every JSON body.
  const unstorable = findUnstorableText(fields);
  if (unstorable !== null) {
    await rm(saved.path, { force: true });
    throw badRequest('invalid_payload', unstorableTextMessage(`body.${unstorable}`));
  }
  return { ...saved, fields };
}
