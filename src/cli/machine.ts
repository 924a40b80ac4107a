import os from 'node:os';

/** One line naming the machine a measurement ran on: every benchmark table prints it. */
export function describeMachine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  const ort = (() => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return (require('onnxruntime-node/package.json') as { version: string }).version;
    } catch {
      return 'unknown';
    }
  })();
  return `${model}, ${cpus.length} logical cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, ${os.platform()} ${os.release()}, Node ${process.versions.node}, onnxruntime-node ${ort}`;
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}
