/**
 * Rewrites the value of one top-level element of an explicit VR little endian file, byte for
 * byte, so tests can make hostile variants of real corpus files (values dcmjs would refuse to
 * write, such as an IS of "NaN").
 */
import * as dicomParser from 'dicom-parser';

export function patchElement(source: Uint8Array, tag: string, value: string): Uint8Array {
  const ds = dicomParser.parseDicom(source);
  const element = ds.elements[`x${tag.toLowerCase()}`];
  if (!element || !element.vr || element.length > 0xffff) throw new Error(`no short explicit-VR element ${tag} in the fixture`);
  const padded = value.length % 2 === 0 ? value : `${value} `;
  const header = Buffer.from(source.buffer, source.byteOffset + element.dataOffset - 8, 8);
  const newHeader = Buffer.from(header);
  newHeader.writeUInt16LE(padded.length, 6);
  return new Uint8Array(
    Buffer.concat([
      Buffer.from(source.subarray(0, element.dataOffset - 8)),
      newHeader,
      Buffer.from(padded, 'latin1'),
      Buffer.from(source.subarray(element.dataOffset + element.length)),
    ]),
  );
}
