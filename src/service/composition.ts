/**
 * The one composition root of the long-running processes (`medsr serve`, `medsr worker`): the
 * model runtime, the services built over it, and one shutdown path that stops the process's own
 * listeners (HTTP, DIMSE, the Redis worker), then the services, then the runtime.
 */
import type { Logger } from '../shared/logger';
import { createRuntime, type Runtime, type RuntimeOptions } from './runtime';
import { createServices, type Services, type ServicesOptions } from './services';

/** What a process chooses about its services; what they run on (reading, the processor) comes from the runtime. */
export type ServicesSettings = Omit<ServicesOptions, 'readInputs' | 'readDicomBytes' | 'processor'>;

export interface Composition {
  runtime: Runtime;
  /** Builds the services over the runtime (once: a second call is a bug). */
  createServices(settings: ServicesSettings): Services;
  /** Something to stop before the services close (a listener); hooks run in the order added. */
  onShutdown(hook: () => Promise<void> | void): void;
  /** Runs the hooks, closes the services, disposes the runtime; once, however often called. */
  shutdown(): Promise<void>;
  /** On SIGINT/SIGTERM: logs `message`, shuts down, exits 0. */
  exitOnSignals(log: Logger, message: string): void;
}

export function createComposition(runtimeOptions: RuntimeOptions): Composition {
  const runtime = createRuntime(runtimeOptions);
  const hooks: Array<() => Promise<void> | void> = [];
  let services: Services | undefined;
  let shuttingDown: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (shuttingDown ??= (async () => {
      for (const hook of hooks) await hook();
      await services?.close();
      await runtime.dispose();
    })());
  return {
    runtime,
    createServices(settings) {
      if (services) throw new Error('createServices called twice on one composition');
      services = createServices({ ...settings, readInputs: runtime.readInputs, readDicomBytes: runtime.readDicomBytes, processor: runtime.processor });
      return services;
    },
    onShutdown(hook) {
      hooks.push(hook);
    },
    shutdown,
    exitOnSignals(log, message) {
      const stop = (signal: string): void => {
        log.info({ signal }, message);
        void shutdown().then(() => process.exit(0));
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    },
  };
}
