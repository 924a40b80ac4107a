import { MedsrError } from '../../shared/errors';

/** A DICOM node to send to: `AET@host:port`. */
export interface DicomNode {
  aeTitle: string;
  host: string;
  port: number;
}

const NODE = /^([^@\\\s]{1,16})@([A-Za-z0-9._-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/;

export function parseDicomNode(text: string): DicomNode {
  const m = NODE.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port > 0 && port < 65536)) {
    throw new MedsrError('invalid_input', 'dicom_node.invalid', `not a DICOM node: ${JSON.stringify(text)} (expected AET@host:port, AE title up to 16 characters)`);
  }
  return { aeTitle: m[1] as string, host: (m[2] as string).replace(/^\[|\]$/g, ''), port };
}

export const formatDicomNode = (n: DicomNode): string => `${n.aeTitle}@${n.host}:${n.port}`;

/**
 * Sends whole Part 10 instances to a node with C-STORE (the DIMSE adapter's SCU, injected by the
 * composition root). Resolves when every instance was stored; rejects naming what failed.
 */
export type SendInstances = (node: DicomNode, instances: Buffer[]) => Promise<void>;
