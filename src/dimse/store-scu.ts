/**
 * C-STORE SCU (dcmjs-dimse): sends whole Part 10 instances to a DICOM node in one association.
 * Rejects when the association fails or any instance is not stored, naming the status.
 */
import { Client, Dataset, constants, log as dimseLog, requests } from 'dcmjs-dimse';
import type { DicomNode, SendInstances } from '../service/autoroute/destination';
import { MedsrError } from '../shared/errors';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dcmjs = require('dcmjs') as { data: { DicomMessage: { readFile(b: ArrayBuffer): { dict: object; meta: Record<string, { Value?: unknown[] }> } }; DicomMetaDictionary: { naturalizeDataset(d: object): Record<string, unknown> } } };

const { Status } = constants;

function datasetOf(bytes: Buffer): Dataset {
  const file = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const transferSyntax = String(file.meta['00020010']?.Value?.[0] ?? '1.2.840.10008.1.2.1');
  return new Dataset(dcmjs.data.DicomMetaDictionary.naturalizeDataset(file.dict), transferSyntax);
}

export function createStoreScu(callingAeTitle: string, timeoutMs = 60_000): SendInstances {
  dimseLog.setLevel('silent');
  return (node: DicomNode, instances: Buffer[]) =>
    new Promise<void>((resolve, reject) => {
      const client = new Client();
      const failures: string[] = [];
      let stored = 0;
      for (const bytes of instances) {
        const request = new requests.CStoreRequest(datasetOf(bytes));
        request.on('response', (response: { getStatus(): number; getAffectedSopInstanceUid(): string }) => {
          const status = response.getStatus();
          if (status === Status.Success) stored += 1;
          else failures.push(`${response.getAffectedSopInstanceUid()}: status 0x${status.toString(16).padStart(4, '0')}`);
        });
        client.addRequest(request);
      }
      let settled = false;
      const finish = (err?: MedsrError): void => {
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else if (stored !== instances.length) reject(new MedsrError('internal', 'dimse.store_failed', `${node.aeTitle} stored ${stored} of ${instances.length} instances${failures.length ? `: ${failures.slice(0, 3).join('; ')}` : ''}`));
        else resolve();
      };
      client.on('associationRejected', (r: { result: number; reason: number }) => finish(new MedsrError('internal', 'dimse.association_rejected', `${node.aeTitle}@${node.host}:${node.port} rejected the association (result ${r.result}, reason ${r.reason})`)));
      client.on('networkError', (e: Error) => finish(new MedsrError('internal', 'dimse.network', `cannot send to ${node.aeTitle}@${node.host}:${node.port}: ${e.message}`)));
      client.on('closed', () => finish());
      client.send(node.host, node.port, callingAeTitle, node.aeTitle, { connectTimeout: timeoutMs, associationTimeout: timeoutMs, pduTimeout: timeoutMs });
    });
}
