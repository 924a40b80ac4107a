import { allowedHostsFor } from '../../src/cli/serve';
import { parseConfig } from '../../src/shared/config';

describe('medsr serve host allow-list', () => {
  it('serve also answers the one address it listens on, never a wildcard', () => {
    const loopback = parseConfig({}).allowedHosts;
    expect(allowedHostsFor(loopback, '192.168.1.5')).toEqual([...loopback, '192.168.1.5']);
    expect(allowedHostsFor(loopback, '0.0.0.0')).toEqual([...loopback]);
    expect(allowedHostsFor(loopback, '::')).toEqual([...loopback]);
    expect(allowedHostsFor(loopback, 'fe80::1')).toEqual([...loopback, '[fe80::1]']);
  });
});
