import { createComposition } from '../../src/service/composition';
import { testModelDir } from './helpers/real-runtime';
import { tempDir } from './helpers/service-fixture';

jest.setTimeout(120_000);

/** The one shutdown path `medsr serve` and `medsr worker` share. */
describe('createComposition', () => {
  it('stops the listeners in the order added, then the services, then the runtime; once, however often asked', async () => {
    const root = createComposition({ modelDir: testModelDir(), device: 'cpu', workers: 1, intraOpThreads: 1 });
    await root.runtime.ready;
    const services = root.createServices({ dataDir: tempDir(), maxQueue: 2 });
    expect(() => root.createServices({ dataDir: tempDir(), maxQueue: 2 })).toThrow(/twice/);
    const order: string[] = [];
    const closeServices = services.close.bind(services);
    services.close = async () => {
      order.push('services');
      await closeServices();
    };
    root.onShutdown(() => void order.push('http'));
    root.onShutdown(async () => void order.push('dimse'));
    await Promise.all([root.shutdown(), root.shutdown()]);
    await root.shutdown();
    expect(order).toEqual(['http', 'dimse', 'services']);
    // the runtime went last: its pool is gone
    expect(root.runtime.pool.state()).toMatchObject({ workers: 0 });
  });
});
