/**
 * Where jobs wait for a worker. Embedded (in-process, state on disk) by default; BullMQ on Redis
 * when REDIS_URL is set, so any number of `medsr worker` processes can share the work.
 */
export interface JobQueue {
  readonly kind: 'embedded' | 'redis';
  /** Throws MedsrError('overloaded') when the queue is full. */
  enqueue(jobId: string): Promise<void>;
  /** Jobs waiting or running. */
  depth(): Promise<number>;
  close(): Promise<void>;
}
