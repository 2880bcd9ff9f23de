// netexec's /upload: the multipart field `file` is written to a new file `upload<digits>` in
// the upload directory (agnhost: `/uploads`) with mode 0700.
import { randomInt } from 'node:crypto';
import fs from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { goJson, readBody, send } from './http-util.js';

/** Go's ParseMultipartForm memory limit in FormFile; larger uploads are refused. */
const uploadLimit = 32 << 20;

function boundaryOf(contentType: string): string | undefined {
  if (!/^multipart\/form-data/i.test(contentType)) return undefined;
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** The contents of the part named `name` that carries a filename, as Go's FormFile finds it. */
export function findMultipartFile(body: Buffer, contentType: string, name: string): Buffer | undefined {
  const boundary = boundaryOf(contentType);
  if (boundary === undefined) return undefined;
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) return undefined;
    const part = body.subarray(start + delimiter.length, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
      const isFile = /filename=/i.test(disposition);
      if (isFile && new RegExp(`[; ]name="?${name}"?(;|$|\\s)`, 'i').test(disposition)) {
        // The part ends with the CRLF that precedes the next delimiter.
        return part.subarray(headerEnd + 4, part.length - 2);
      }
    }
    start = next;
  }
  return undefined;
}

async function createUploadFile(dir: string): Promise<fs.FileHandle & { path: string }> {
  for (;;) {
    const candidate = path.join(dir, `upload${randomInt(1, 2 ** 32)}`);
    try {
      const handle = await fs.open(candidate, 'wx', 0o600);
      return Object.assign(handle, { path: candidate });
    } catch (err) {
      if (!(err instanceof Error && 'code' in err && err.code === 'EEXIST')) throw err;
    }
  }
}

function reply(res: http.ServerResponse, status: number, result: Record<string, string>): void {
  send(res, status, goJson(result));
}

export async function handleUpload(req: http.IncomingMessage, res: http.ServerResponse, uploadDir: string): Promise<void> {
  let file: Buffer | undefined;
  try {
    file = findMultipartFile(await readBody(req, uploadLimit), req.headers['content-type'] ?? '', 'file');
  } catch {
    file = undefined;
  }
  if (file === undefined) {
    reply(res, 200, { error: 'Unable to upload file.' });
    return;
  }
  let handle: Awaited<ReturnType<typeof createUploadFile>>;
  try {
    handle = await createUploadFile(uploadDir);
  } catch {
    reply(res, 200, { error: 'Unable to open file for write' });
    return;
  }
  try {
    await handle.writeFile(file);
    await handle.chmod(0o700);
  } catch {
    reply(res, 200, { error: 'Unable to write file.' });
    return;
  } finally {
    await handle.close();
  }
  reply(res, 201, { output: handle.path });
}
