/**
 * The DICOM network adapter's SCP (dcmjs-dimse): C-ECHO, C-STORE into the same study storage as
 * uploads (through the service's lifecycle, which also drives auto-routing), and C-FIND at
 * study, series and image level over the service's query. It only translates.
 */
import type { AddressInfo, Server as NetServer } from 'node:net';
import { Dataset, Scp, Server, constants, log as dimseLog, responses, type association, type requests } from 'dcmjs-dimse';
import { queryDicom } from '../service/dicom-query';
import type { InstanceIndex } from '../service/instance-index';
import type { StudyLifecycle } from '../service/study-lifecycle';
import { toMedsrError } from '../shared/errors';
import { logger } from '../shared/logger';
import { identifierOfRecord, queryOfIdentifier } from './find-translate';
import { acceptContexts } from './presentation-contexts';

const { Status, RejectResult, RejectSource, RejectReason } = constants;

export interface DimseServerOptions {
  port: number;
  aeTitle: string;
  lifecycle: Pick<StudyLifecycle, 'receiveDataset'>;
  index: InstanceIndex;
}

export interface DimseServer {
  port: number;
  close(): Promise<void>;
}

/** Received data set bytes, kept exactly as they arrived, by the (unparsed) Dataset handed on. */
const rawOf = new WeakMap<object, { bytes: Buffer; transferSyntaxUID: string }>();

export async function startDimseServer(options: DimseServerOptions): Promise<DimseServer> {
  const log = logger().child({ component: 'dimse' });
  dimseLog.setLevel('silent');

  class MedsrScp extends Scp {
    private callingAe = '';

    override associationRequested(assoc: association.Association): void {
      this.callingAe = assoc.getCallingAeTitle();
      if (assoc.getCalledAeTitle().trim() !== options.aeTitle) {
        log.warn({ called: assoc.getCalledAeTitle(), calling: this.callingAe }, 'association for another AE title rejected');
        this.sendAssociationReject(RejectResult.Permanent, RejectSource.ServiceUser, RejectReason.CalledAeNotRecognized);
        return;
      }
      acceptContexts(assoc);
      this.sendAssociationAccept();
    }

    override associationReleaseRequested(): void {
      this.sendAssociationReleaseResponse();
    }

    override cEchoRequest(request: requests.CEchoRequest, callback: (r: responses.CEchoResponse) => void): void {
      const response = responses.CEchoResponse.fromRequest(request);
      response.setStatus(Status.Success);
      callback(response);
    }

    override createDatasetFromStoreWritableStream(writable: unknown, context: association.PresentationContext, callback: (dataset: Dataset) => void): void {
      const transferSyntaxUID = context.getAcceptedTransferSyntaxUid() ?? '1.2.840.10008.1.2';
      const dataset = new Dataset({}, transferSyntaxUID);
      rawOf.set(dataset, { bytes: (writable as { toBuffer(): Buffer }).toBuffer(), transferSyntaxUID });
      callback(dataset);
    }

    override cStoreRequest(request: requests.CStoreRequest, callback: (r: responses.CStoreResponse) => void): void {
      const response = responses.CStoreResponse.fromRequest(request);
      const dataset = request.getDataset();
      const raw = dataset ? rawOf.get(dataset) : undefined;
      if (!raw) {
        response.setStatus(Status.ProcessingFailure);
        callback(response);
        return;
      }
      const received = { dataset: new Uint8Array(raw.bytes.buffer, raw.bytes.byteOffset, raw.bytes.byteLength), sopClassUID: request.getAffectedSopClassUid(), sopInstanceUID: request.getAffectedSopInstanceUid(), transferSyntaxUID: raw.transferSyntaxUID, callingAeTitle: this.callingAe };
      options.lifecycle.receiveDataset(received).then(
        () => response.setStatus(Status.Success),
        (err: unknown) => {
          const e = toMedsrError(err);
          log.warn({ code: e.code, err: e.message, calling: this.callingAe }, 'C-STORE refused');
          response.setStatus(e.kind === 'invalid_input' || e.kind === 'unsupported' ? Status.DataSetSopClassMismatch : Status.ProcessingFailure);
          response.setErrorComment(e.message.slice(0, 64));
        },
      ).finally(() => callback(response));
    }

    override cFindRequest(request: requests.CFindRequest, callback: (r: responses.CFindResponse[]) => void): void {
      const done = (status: number, comment?: string): responses.CFindResponse => {
        const r = responses.CFindResponse.fromRequest(request);
        r.setStatus(status);
        if (comment) r.setErrorComment(comment.slice(0, 64));
        return r;
      };
      void (async () => {
        try {
          const { query, requested } = queryOfIdentifier((request.getDataset()?.getElements() ?? {}) as Record<string, unknown>);
          const records = await queryDicom(options.index, query);
          const pending = records.map((record) => {
            const r = responses.CFindResponse.fromRequest(request);
            r.setDataset(new Dataset(identifierOfRecord(record, requested, query.level)));
            r.setStatus(Status.Pending);
            return r;
          });
          callback([...pending, done(Status.Success)]);
        } catch (err) {
          const e = toMedsrError(err);
          log.warn({ code: e.code, err: e.message }, 'C-FIND failed');
          callback([done(e.kind === 'internal' ? Status.ProcessingFailure : Status.InvalidArgumentValue, e.message)]);
        }
      })();
    }
  }

  const server = new Server(MedsrScp);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('networkError', (e: unknown) => reject(e as Error));
    server.listen(options.port);
  });
  server.on('networkError', (e: unknown) => log.warn({ err: String(e) }, 'DIMSE network error'));
  const net = (server as unknown as { server: NetServer }).server;
  const port = (net.address() as AddressInfo).port;
  log.info({ port, aeTitle: options.aeTitle }, 'DIMSE listening');
  return {
    port,
    close: async () => {
      server.close();
      await new Promise<void>((resolve) => (net.listening ? net.close(() => resolve()) : resolve()));
    },
  };
}
