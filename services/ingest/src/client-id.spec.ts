import { clientIdPrefix } from './client-id';

describe('clientIdPrefix', () => {
  it('is stable for a source and differs between sources', () => {
    expect(clientIdPrefix('sluice-ingest', 'acme', 'devices')).toBe(
      clientIdPrefix('sluice-ingest', 'acme', 'devices'),
    );
    expect(clientIdPrefix('sluice-ingest', 'acme', 'devices')).not.toBe(
      clientIdPrefix('sluice-ingest', 'acme', 'plant'),
    );
  });

  it('stays within the 60 characters a source allows, with UUID ids', () => {
    const uuid = '3f1c9a52-7d1e-4b8a-9c55-0a1b2c3d4e5f';
    const prefix = clientIdPrefix('sluice-ingest-0', uuid, uuid);
    expect(prefix.length).toBeLessThanOrEqual(60);
    expect(prefix).toMatch(/^sluice-ingest-0-[0-9a-f]{12}$/);
  });
});
