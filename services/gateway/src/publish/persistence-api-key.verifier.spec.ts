import type { ApiKey, ApiKeysRepository } from '@sluice/persistence';
import { PersistenceApiKeyVerifier } from './persistence-api-key.verifier';

const adminKey = 'unit-admin-key-0123456789abcdef';
const key = `slk_0123456789abcdef_${'S'.repeat(43)}`;
const row = { id: 'k1', tenantId: 't1', publishTopics: ['a/#'], rateLimit: 5 } as ApiKey;

/** A strict fake of the two repository methods the verifier uses. */
function fakeRepository(known: Record<string, ApiKey>) {
  const calls: string[] = [];
  const repository = {
    authenticate: (presented: string) => {
      calls.push(presented);
      return Promise.resolve(known[presented] ?? null);
    },
    touch: () => Promise.resolve(),
  } satisfies Pick<ApiKeysRepository, 'authenticate' | 'touch'>;
  return { calls, repository: repository as unknown as ApiKeysRepository };
}

describe('PersistenceApiKeyVerifier', () => {
  it('joins "prefix:secret" into the key, and also takes the whole key as the username', async () => {
    const { calls, repository } = fakeRepository({ [key]: row });
    const verifier = new PersistenceApiKeyVerifier(repository, adminKey);
    const expected = { keyId: 'k1', tenantId: 't1', topicFilters: ['a/#'], rateLimit: 5 };
    expect(await verifier.verify({ username: key.slice(0, 20), password: key.slice(21) })).toEqual(expected);
    expect(calls).toEqual([key]);
    const fresh = new PersistenceApiKeyVerifier(repository, adminKey);
    expect(await fresh.verify({ username: key, password: '' })).toEqual(expected);
  });

  it('asks the database once per key within the cache lifetime, and never caches a failure', async () => {
    const { calls, repository } = fakeRepository({ [key]: row });
    const verifier = new PersistenceApiKeyVerifier(repository, adminKey);
    await verifier.verify({ username: key, password: '' });
    await verifier.verify({ username: key, password: '' });
    expect(calls).toHaveLength(1);
    expect(await verifier.verify({ username: 'slk_0123456789abcdef', password: 'wrong' })).toBeNull();
    expect(await verifier.verify({ username: 'slk_0123456789abcdef', password: 'wrong' })).toBeNull();
    expect(calls).toHaveLength(3);
  });

  it('takes the operator key only as admin:<key>, without the database', async () => {
    const { calls, repository } = fakeRepository({});
    const verifier = new PersistenceApiKeyVerifier(repository, adminKey);
    expect(await verifier.verify({ username: 'admin', password: adminKey })).toEqual({
      keyId: 'admin',
      tenantId: null,
      topicFilters: 'any',
      rateLimit: 'unlimited',
    });
    expect(await verifier.verify({ username: 'admin', password: `${adminKey}x` })).toBeNull();
    expect(calls).toEqual([]);
  });
});
