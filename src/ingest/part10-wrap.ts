/**
 * Part 10 file bytes around a data set received over the network (DIMSE C-STORE carries the data
 * set without preamble or file meta). The data set bytes are kept exactly as received.
 */
export interface Part10Meta {
  sopClassUID: string;
  sopInstanceUID: string;
  transferSyntaxUID: string;
  implementationClassUID: string;
  implementationVersionName?: string;
  sourceAeTitle?: string;
}

function element(group: number, elem: number, vr: string, value: Buffer): Buffer {
  const long = vr === 'OB';
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(elem, 2);
  head.write(vr, 4, 'ascii');
  if (long) head.writeUInt32LE(value.length, 8);
  else head.writeUInt16LE(value.length, 6);
  return Buffer.concat([head, value]);
}

/** UI values pad with NUL, text with space, to an even length. */
function text(value: string, pad: '\0' | ' '): Buffer {
  return Buffer.from(value.length % 2 ? value + pad : value, 'ascii');
}

export function wrapPart10(dataset: Uint8Array, meta: Part10Meta): Buffer {
  const elements = [
    element(0x0002, 0x0001, 'OB', Buffer.from([0, 1])),
    element(0x0002, 0x0002, 'UI', text(meta.sopClassUID, '\0')),
    element(0x0002, 0x0003, 'UI', text(meta.sopInstanceUID, '\0')),
    element(0x0002, 0x0010, 'UI', text(meta.transferSyntaxUID, '\0')),
    element(0x0002, 0x0012, 'UI', text(meta.implementationClassUID, '\0')),
    ...(meta.implementationVersionName ? [element(0x0002, 0x0013, 'SH', text(meta.implementationVersionName.slice(0, 16), ' '))] : []),
    ...(meta.sourceAeTitle ? [element(0x0002, 0x0016, 'AE', text(meta.sourceAeTitle.slice(0, 16), ' '))] : []),
  ];
  const body = Buffer.concat(elements);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length, 0);
  const groupLength = element(0x0002, 0x0000, 'UL', length);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'ascii'), groupLength, body, Buffer.from(dataset)]);
}
