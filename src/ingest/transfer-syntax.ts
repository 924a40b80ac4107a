/**
 * The transfer syntaxes medsr reads, and which decoder each one needs. One table, so that the
 * parser, the frame decoder and `info` agree on what is supported.
 */

export type Codec =
  | 'native' // uncompressed, little or big endian
  | 'rle'
  | 'jpeg-baseline' // 8-bit lossy (process 1)
  | 'jpeg-extended' // 12-bit lossy (process 2/4)
  | 'jpeg-lossless' // process 14, any predictor, and SV1
  | 'jpeg-ls' // lossless and near-lossless
  | 'jpeg2000' // lossless and lossy
  | 'htj2k';

export interface TransferSyntax {
  uid: string;
  name: string;
  codec: Codec;
  /** Byte order of the data set (and of native pixel data). */
  bigEndian: boolean;
  /** Implicit VR: the data set carries no VRs. */
  implicitVR: boolean;
  /** The data set after the file meta is a raw deflate stream. */
  deflated: boolean;
  /** Whether decoding gives back exactly the encoder's input (lossless codestreams). */
  lossless: boolean;
}

export const IMPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2';
export const EXPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const EXPLICIT_BIG_ENDIAN = '1.2.840.10008.1.2.2';
export const DEFLATED_EXPLICIT_LITTLE_ENDIAN = '1.2.840.10008.1.2.1.99';

function ts(uid: string, name: string, codec: Codec, lossless: boolean, extra: Partial<TransferSyntax> = {}): TransferSyntax {
  return { uid, name, codec, lossless, bigEndian: false, implicitVR: false, deflated: false, ...extra };
}

const TABLE: readonly TransferSyntax[] = [
  ts(IMPLICIT_LITTLE_ENDIAN, 'Implicit VR Little Endian', 'native', true, { implicitVR: true }),
  ts(EXPLICIT_LITTLE_ENDIAN, 'Explicit VR Little Endian', 'native', true),
  ts(EXPLICIT_BIG_ENDIAN, 'Explicit VR Big Endian', 'native', true, { bigEndian: true }),
  ts(DEFLATED_EXPLICIT_LITTLE_ENDIAN, 'Deflated Explicit VR Little Endian', 'native', true, { deflated: true }),
  ts('1.2.840.10008.1.2.5', 'RLE Lossless', 'rle', true),
  ts('1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', 'jpeg-baseline', false),
  ts('1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)', 'jpeg-extended', false),
  ts('1.2.840.10008.1.2.4.57', 'JPEG Lossless (Process 14)', 'jpeg-lossless', true),
  ts('1.2.840.10008.1.2.4.70', 'JPEG Lossless SV1 (Process 14, first-order prediction)', 'jpeg-lossless', true),
  ts('1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless', 'jpeg-ls', true),
  ts('1.2.840.10008.1.2.4.81', 'JPEG-LS Near-Lossless', 'jpeg-ls', false),
  ts('1.2.840.10008.1.2.4.90', 'JPEG 2000 Lossless Only', 'jpeg2000', true),
  ts('1.2.840.10008.1.2.4.91', 'JPEG 2000', 'jpeg2000', false),
  ts('1.2.840.10008.1.2.4.201', 'HTJ2K Lossless', 'htj2k', true),
  ts('1.2.840.10008.1.2.4.202', 'HTJ2K Lossless RPCL', 'htj2k', true),
  ts('1.2.840.10008.1.2.4.203', 'HTJ2K', 'htj2k', false),
];

const BY_UID = new Map(TABLE.map((t) => [t.uid, t]));

/** The transfer syntax for a UID, or undefined when medsr does not read it. */
export function lookupTransferSyntax(uid: string): TransferSyntax | undefined {
  return BY_UID.get(uid.replace(/\0/g, '').trim());
}

export function supportedTransferSyntaxes(): readonly TransferSyntax[] {
  return TABLE;
}
