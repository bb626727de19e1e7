import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, SluiceProcess } from '../support';

export interface GraphqlAnswer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; sluiceCode?: string; field?: string } }[];
}

/** A Sluice (embedded mode: all four services in one process) started for an attack, with a GraphQL client. */
export class AttackedSluice {
  readonly process: SluiceProcess;
  readonly adminKey: string;

  private constructor(process: SluiceProcess, adminKey: string) {
    this.process = process;
    this.adminKey = adminKey;
  }

  static async start(name: string, env: Record<string, string> = {}): Promise<AttackedSluice> {
    const adminKey = `sec_admin_${name}_${Math.random().toString(36).slice(2)}_0123456789`;
    const process = new SluiceProcess('all', {
      SLUICE_ADMIN_KEY: adminKey,
      SLUICE_HTTP_PORT: String(await freePort()),
      SLUICE_DATA_DIR: mkdtempSync(join(tmpdir(), `sluice-sec-${name}-`)),
      SLUICE_NATS_URL: 'nats://127.0.0.1:1',
      ...env,
    }).start();
    await process.ready();
    return new AttackedSluice(process, adminKey);
  }

  get url(): string {
    return `http://127.0.0.1:${this.process.port}`;
  }

  async gql<T>(key: string | undefined, query: string, variables: Record<string, unknown> = {}) {
    const response = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as GraphqlAnswer<T>;
  }

  /** The data of an operation that must succeed. */
  async data<T>(key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const answer = await this.gql<T>(key, query, variables);
    if (answer.errors?.length || !answer.data) throw new Error(JSON.stringify(answer.errors));
    return answer.data;
  }

  /** A tenant (on `plan`) and a key of it that may publish to `topics`. */
  async tenant(name: string, options: { topics?: string[]; rateLimit?: number; plan?: string } = {}) {
    const { createTenant } = await this.data<{ createTenant: { id: string } }>(
      this.adminKey,
      'mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }',
      { i: { name, ...(options.plan ? { plan: options.plan } : {}) } },
    );
    const { createApiKey } = await this.data<{ createApiKey: { key: string; apiKey: { id: string } } }>(
      this.adminKey,
      'mutation($t: ID, $i: CreateApiKeyInput!) { createApiKey(tenantId: $t, input: $i) { key apiKey { id } } }',
      {
        t: createTenant.id,
        i: { name: 'attacker', publishTopics: options.topics ?? [], rateLimit: options.rateLimit },
      },
    );
    return { id: createTenant.id, key: createApiKey.key };
  }

  createSource(key: string, config: Record<string, unknown>, name = 'src') {
    return this.gql<{ createSource: { id: string } }>(
      key,
      'mutation($i: CreateSourceInput!) { createSource(input: $i) { id } }',
      { i: { name, config } },
    );
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }
}

/** The code of the first error of an answer that must have failed. */
export function refusal(answer: GraphqlAnswer<unknown>): { code?: string; field?: string; message: string } {
  const error = answer.errors?.[0];
  if (!error) throw new Error(`expected a refusal, got ${JSON.stringify(answer.data)}`);
  return { code: error.extensions?.code, field: error.extensions?.field, message: error.message };
}
