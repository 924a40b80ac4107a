import { constants as bufferConstants } from 'node:buffer';
import zlib from 'node:zlib';
import * as dicomParser from 'dicom-parser';
import { MedsrError } from '../shared/errors';
import {
  DEFLATED_EXPLICIT_LITTLE_ENDIAN,
  EXPLICIT_BIG_ENDIAN,
  EXPLICIT_LITTLE_ENDIAN,
  IMPLICIT_LITTLE_ENDIAN,
  lookupTransferSyntax,
} from './transfer-syntax';
import { patchLongVrs } from './vr-compat';

/**
 * The envelope of a DICOM file: with or without the 128-byte preamble, with or without file meta
 * (then the transfer syntax is sniffed from the first element, implicit VR little endian being
 * the default of PS3.5), deflated or not. Everything below this file sees a dicom-parser DataSet.
 */
export interface ParsedDicom {
  dataSet: dicomParser.DataSet;
  transferSyntaxUID: string;
  /** True when the file carried no file meta information group. */
  noFileMeta: boolean;
}

const BUFFER_MAX_LENGTH = bufferConstants.MAX_LENGTH;

const VRS = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FL', 'FD', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL',
  'OV', 'OW', 'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);

export function parsePart10(bytes: Uint8Array, file: string, maxInflatedBytes: number): ParsedDicom {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let input = buffer;
  let sniffed: string | undefined;
  if (hasPrefixAt(buffer, 128)) {
    // the normal case
  } else if (hasPrefixAt(buffer, 0)) {
    input = Buffer.concat([Buffer.alloc(128), buffer]);
  } else if (buffer.length >= 8 && buffer.readUInt16LE(0) === 0x0002) {
    // file meta present, preamble and prefix missing
    input = Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), buffer]);
  } else {
    sniffed = sniffTransferSyntax(buffer);
    if (!sniffed) {
      throw new MedsrError('invalid_input', 'dicom.not_dicom', 'not a DICOM file (no DICM prefix and no recognisable data set)', { file });
    }
  }
  const options: dicomParser.ParseDicomOptions = {
    ...(sniffed ? { TransferSyntaxUID: sniffed } : {}),
    inflater: (array: Uint8Array, position: number) => inflate(array, position, file, maxInflatedBytes),
  } as dicomParser.ParseDicomOptions;
  let dataSet: dicomParser.DataSet;
  try {
    dataSet = dicomParser.parseDicom(input, options);
  } catch (err) {
    if (!sniffed && String(err).includes('0002,0010')) return parseWithoutTransferSyntax(input, file);
    const patched = withLongVrsPatched(input, sniffed);
    if (!patched) throw parseFailure(err, file);
    try {
      dataSet = dicomParser.parseDicom(patched, options);
    } catch {
      throw parseFailure(err, file);
    }
  }
  const tsElement = dataSet.string('x00020010');
  const transferSyntaxUID = sniffed ?? (tsElement ?? '').replace(/\0/g, '').trim();
  if (!transferSyntaxUID) {
    throw new MedsrError('invalid_input', 'dicom.no_transfer_syntax', 'file meta has no TransferSyntaxUID (0002,0010)', { file });
  }
  return { dataSet, transferSyntaxUID, noFileMeta: sniffed !== undefined };
}

/**
 * File meta without a TransferSyntaxUID: skip the meta group and read the data set as if it had
 * no meta at all (sniffing its encoding), keeping the meta elements.
 */
function parseWithoutTransferSyntax(input: Buffer, file: string): ParsedDicom {
  const body = input.subarray(metaEnd(input));
  const sniffed = sniffTransferSyntax(body);
  if (!sniffed) throw new MedsrError('invalid_input', 'dicom.no_transfer_syntax', 'file meta has no TransferSyntaxUID (0002,0010) and the data set encoding is not recognisable', { file });
  try {
    const dataSet = dicomParser.parseDicom(body, { TransferSyntaxUID: sniffed });
    return { dataSet, transferSyntaxUID: sniffed, noFileMeta: true };
  } catch (err) {
    throw parseFailure(err, file);
  }
}

/** Where the file meta group (explicit VR little endian, after the DICM prefix) ends. */
function metaEnd(input: Buffer): number {
  let position = 132;
  while (position + 8 <= input.length && input.readUInt16LE(position) === 0x0002) {
    const vr = input.toString('latin1', position + 4, position + 6);
    const longForm = ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR', 'OD', 'OL', 'OV', 'SV', 'UV'].includes(vr);
    const length = longForm ? input.readUInt32LE(position + 8) : input.readUInt16LE(position + 6);
    position += (longForm ? 12 : 8) + length;
  }
  return position;
}

/** A copy with OV/SV/UV rewritten to UN (see vr-compat.ts) when the data set is explicit VR and has them. */
function withLongVrsPatched(input: Buffer, sniffed: string | undefined): Uint8Array | undefined {
  try {
    const uid = sniffed ?? (dicomParser.readPart10Header(input).string('x00020010') ?? '').replace(/\0/g, '').trim();
    const syntax = lookupTransferSyntax(uid);
    if (!syntax || syntax.implicitVR || syntax.deflated) return undefined;
    const start = sniffed ? 0 : metaEnd(input);
    const patched = patchLongVrs(input, start, !syntax.bigEndian);
    return patched ? Buffer.from(patched.buffer, patched.byteOffset, patched.byteLength) : undefined;
  } catch {
    return undefined;
  }
}

function hasPrefixAt(buffer: Buffer, offset: number): boolean {
  return buffer.length >= offset + 4 && buffer.toString('latin1', offset, offset + 4) === 'DICM';
}

/**
 * A data set without file meta starts with a low, even group (0008 usually). The byte order shows
 * in which byte of the group is zero; explicit VR shows as two upper-case letters of a known VR.
 */
export function sniffTransferSyntax(buffer: Buffer): string | undefined {
  if (buffer.length < 8) return undefined;
  const plausible = (group: number): boolean => group !== 0 && group % 2 === 0 && group <= 0x0028;
  const vr = buffer.toString('latin1', 4, 6);
  const explicit = VRS.has(vr);
  if (plausible(buffer.readUInt16LE(0))) return explicit ? EXPLICIT_LITTLE_ENDIAN : IMPLICIT_LITTLE_ENDIAN;
  if (plausible(buffer.readUInt16BE(0)) && explicit) return EXPLICIT_BIG_ENDIAN;
  return undefined;
}

/** Inflates a deflated data set with a bound on the output, so a deflate bomb fails early. */
function inflate(array: Uint8Array, position: number, file: string, maxBytes: number): Uint8Array {
  const head = Buffer.from(array.buffer, array.byteOffset, position);
  let inflated: Buffer;
  try {
    inflated = zlib.inflateRawSync(Buffer.from(array.buffer, array.byteOffset + position, array.byteLength - position), {
      maxOutputLength: Math.max(1, Math.min(maxBytes - position, BUFFER_MAX_LENGTH)),
    });
  } catch (err) {
    const tooLarge = err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    if (tooLarge) throw new MedsrError('too_large', 'dicom.deflate_too_large', `deflated data set inflates beyond ${maxBytes} bytes`, { file });
    throw new MedsrError('invalid_input', 'dicom.deflate_corrupt', `deflated data set is corrupt: ${(err as Error).message}`, { file });
  }
  return Buffer.concat([head, inflated]);
}

function parseFailure(err: unknown, file: string): MedsrError {
  if (err instanceof MedsrError) return err;
  const inner = typeof err === 'object' && err !== null && 'exception' in err ? (err as { exception: unknown }).exception : err;
  if (inner instanceof MedsrError) return inner;
  const message = inner instanceof Error ? inner.message : String(inner);
  const truncated = /overrun|beyond|past end|end of buffer|outside the bounds|out of range|eof/i.test(message);
  if (message.includes('DEFLATED_EXPLICIT') || message.includes(DEFLATED_EXPLICIT_LITTLE_ENDIAN)) {
    return new MedsrError('invalid_input', 'dicom.deflate_corrupt', message, { file });
  }
  return new MedsrError(
    'invalid_input',
    truncated ? 'dicom.truncated' : 'dicom.malformed',
    `${truncated ? 'truncated' : 'malformed'} DICOM data set: ${message}`,
    { file },
    { cause: err },
  );
}
