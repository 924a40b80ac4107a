import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { MedsrError } from '../../../shared/errors';

/** The boundary parameter of a multipart Content-Type (quoted or not). */
function boundaryOf(contentType: string): string {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw new MedsrError('invalid_input', 'stow.boundary', 'multipart/related body without a boundary parameter');
  return boundary;
}

/** Reads the whole request body, refusing more than `maxBytes`. */
export async function readBody(req: Request, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw new MedsrError('too_large', 'stow.too_large', `request body exceeds ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export interface Part {
  headers: Record<string, string>;
  body: Buffer;
}

/** Splits a multipart/related body into its parts (RFC 2046: CRLF before each delimiter). */
export function parseMultipart(body: Buffer, contentType: string): Part[] {
  const delimiter = Buffer.from(`--${boundaryOf(contentType)}`);
  const parts: Part[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) throw new MedsrError('invalid_input', 'stow.malformed', 'the body holds no part delimited by its boundary');
  for (;;) {
    let start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break; // close delimiter
    start = body.indexOf('\r\n', start) + 2;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), start);
    if (next < 0) throw new MedsrError('invalid_input', 'stow.malformed', 'a part has no closing boundary');
    const headerEnd = body.indexOf('\r\n\r\n', start);
    const headers: Record<string, string> = {};
    let content = start;
    if (headerEnd >= 0 && headerEnd < next) {
      for (const line of body.subarray(start, headerEnd).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      content = headerEnd + 4;
    } else if (body.subarray(start, start + 2).toString() === '\r\n') {
      content = start + 2; // no headers: the part's type is the root type
    }
    parts.push({ headers, body: body.subarray(content, next) });
    at = next + 2;
  }
  return parts;
}

/** Streams parts as multipart/related; `type` is the root type (application/dicom ...). Callers check there is something to send first. */
export async function sendMultipart(res: Response, type: string, parts: AsyncIterable<{ body: Buffer; contentType?: string; location?: string }>, extraType = ''): Promise<void> {
  const boundary = `medsr-${randomBytes(12).toString('hex')}`;
  res.status(200);
  res.setHeader('Content-Type', `multipart/related; type="${type}"; boundary=${boundary}${extraType}`);
  for await (const part of parts) {
    const head = [`--${boundary}`, `Content-Type: ${part.contentType ?? type}`, ...(part.location ? [`Content-Location: ${part.location}`] : []), '', ''].join('\r\n');
    res.write(head);
    res.write(part.body);
    res.write('\r\n');
  }
  res.end(`--${boundary}--\r\n`);
}
