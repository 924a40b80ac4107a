import { parseConfig } from '../../src/shared/config';
import { MedsrError } from '../../src/shared/errors';

describe('parseConfig: DICOM network settings', () => {
  it('leaves DIMSE and auto-routing off by default, with the documented defaults', () => {
    const c = parseConfig({});
    expect(c.dimsePort).toBeUndefined();
    expect(c.autoroute).toBeUndefined();
    expect(c.aeTitle).toBe('MEDSR');
    expect(c.autorouteScale).toBe(2);
    expect(c.seriesIdleSeconds).toBe(10);
  });

  it('reads MEDSR_DIMSE_PORT, MEDSR_AE_TITLE, MEDSR_AUTOROUTE, MEDSR_AUTOROUTE_SCALE and MEDSR_SERIES_IDLE_S', () => {
    const c = parseConfig({ MEDSR_DIMSE_PORT: '11112', MEDSR_AE_TITLE: 'SR_NODE', MEDSR_AUTOROUTE: 'PACS@pacs.example.org:104', MEDSR_AUTOROUTE_SCALE: '4', MEDSR_SERIES_IDLE_S: '1.5' });
    expect(c).toMatchObject({ dimsePort: 11112, aeTitle: 'SR_NODE', autoroute: 'PACS@pacs.example.org:104', autorouteScale: 4, seriesIdleSeconds: 1.5 });
  });

  it('names a malformed destination, AE title and scale', () => {
    let caught: unknown;
    try {
      parseConfig({ MEDSR_AUTOROUTE: 'pacs:104', MEDSR_AE_TITLE: 'A TITLE LONGER THAN 16', MEDSR_AUTOROUTE_SCALE: '3' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MedsrError);
    const message = (caught as MedsrError).message;
    for (const name of ['MEDSR_AUTOROUTE', 'MEDSR_AE_TITLE', 'MEDSR_AUTOROUTE_SCALE']) expect(message).toContain(name);
  });
});
