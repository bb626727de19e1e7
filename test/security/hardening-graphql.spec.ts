import { request } from 'node:http';
import { AttackedSluice } from './tenancy-support';

// Finding: an unauthenticated 15 MB GraphQL document of aliases was parsed and costed before
// authentication (body limit 16 MB, no token limit): 10 s during which every tenant waited.
const aliases = (bytes: number) => {
  const parts = ['{'];
  let size = 1;
  for (let n = 0; size < bytes; n++) {
    const part = ` a${n}: __typename`;
    parts.push(part);
    size += part.length;
  }
  parts.push('}');
  return parts.join('');
};

async function post(url: string, key: string | undefined, body: string) {
  const started = Date.now();
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body,
  });
  const answer = (await response.json()) as {
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  return { status: response.status, answer, ms: Date.now() - started };
}

describe('attack: a huge GraphQL document', () => {
  let sluice: AttackedSluice;

  beforeAll(async () => {
    sluice = await AttackedSluice.start('graphql');
  });
  afterAll(async () => {
    await sluice?.stop();
  });

  it('an unauthenticated 15 MB alias document is refused before it is parsed', async () => {
    const body = JSON.stringify({ query: aliases(15 * 1024 * 1024) });
    const [attack, bystander] = await Promise.all([
      post(sluice.url, undefined, body),
      post(sluice.url, sluice.adminKey, JSON.stringify({ query: '{ __typename }' })),
    ]);
    expect(attack.status).toBe(401);
    expect(attack.answer.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // it used to block the process for about 10 s; reading the body alone takes a fraction of that
    expect(attack.ms).toBeLessThan(3_000);
    expect(bystander.status).toBe(200);
  });

  it('an authenticated one is refused by the body limit (1 MiB), without parsing', async () => {
    const attack = await post(
      sluice.url,
      sluice.adminKey,
      JSON.stringify({ query: aliases(15 * 1024 * 1024) }),
    );
    expect(attack.status).toBe(413);
    expect(attack.answer.errors?.[0]?.message).toMatch(/at most 1048576 bytes/);
  });

  it('a document under the body limit stops at the token limit', async () => {
    const attack = await post(sluice.url, sluice.adminKey, JSON.stringify({ query: aliases(900 * 1024) }));
    expect(attack.answer.errors?.[0]?.message).toMatch(/more th\w+ 5000 tokens/);
    expect(attack.ms).toBeLessThan(3_000);
  });

  it('a small document with many aliases is refused by the alias limit', async () => {
    const attack = await post(sluice.url, sluice.adminKey, JSON.stringify({ query: aliases(2_500) }));
    expect(attack.answer.errors?.[0]?.message).toMatch(/more than 100 aliased fields/);
  });

  it('a chunked body without a length is refused (it would reach the 16 MB parser)', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${sluice.url}/graphql`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${sluice.adminKey}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(JSON.stringify({ query: '{ __typename }' }));
      req.end();
    });
    expect(status).toBe(411);
  });
});
