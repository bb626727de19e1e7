import type { TenantDefinition } from '@sluice/pipeline';
import type { GraphqlResponse, GraphqlTestApp } from './graphql-test-app';

/** The data of a response that must have succeeded. */
export function ok<T>(response: GraphqlResponse<T>): T {
  if (response.errors?.length || !response.data) {
    throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
  }
  return response.data;
}

/** The first error of a response that must have failed. */
export function failure(response: GraphqlResponse<unknown>): {
  message: string;
  code: unknown;
  extensions: Record<string, unknown>;
} {
  const error = response.errors?.[0];
  if (!error) throw new Error(`expected an error, got ${JSON.stringify(response.data)}`);
  const extensions = error.extensions ?? {};
  return { message: error.message, code: extensions.code, extensions };
}

export const CONNECTOR_FIELDS = 'id name kind enabled version config secretsSet';
export const RULE_FIELDS =
  'id name description sql enabled version actions { id connectorId config enabled position version }';

/** A tenant and one API key of it. */
export async function tenantWithKey(t: GraphqlTestApp, name: string, plan?: string) {
  const { createTenant } = ok(
    await t.gql<{ createTenant: { id: string; version: number } }>(
      t.adminKey,
      'mutation($input: CreateTenantInput!) { createTenant(input: $input) { id version } }',
      { input: { name, plan } },
    ),
  );
  const { createApiKey } = ok(
    await t.gql<{ createApiKey: { key: string; apiKey: { id: string } } }>(
      t.adminKey,
      'mutation($t: ID) { createApiKey(tenantId: $t, input: { name: "ci" }) { key apiKey { id } } }',
      { t: createTenant.id },
    ),
  );
  return { id: createTenant.id, key: createApiKey.key, keyId: createApiKey.apiKey.id };
}

export interface ConnectorResult {
  id: string;
  name: string;
  kind: string;
  enabled: boolean;
  version: number;
  config: Record<string, unknown>;
  secretsSet: string[];
}

export function createConnector(
  t: GraphqlTestApp,
  key: string,
  input: Record<string, unknown>,
  tenantId?: string,
): Promise<GraphqlResponse<{ createConnector: ConnectorResult }>> {
  return t.gql(
    key,
    `mutation($input: CreateConnectorInput!, $t: ID) { createConnector(input: $input, tenantId: $t) { ${CONNECTOR_FIELDS} } }`,
    { input, t: tenantId },
  );
}

export interface RuleResult {
  id: string;
  name: string;
  description: string;
  sql: string;
  enabled: boolean;
  version: number;
  actions: {
    id: string;
    connectorId: string;
    config: Record<string, unknown>;
    enabled: boolean;
    position: number;
    version: number;
  }[];
}

export function createRule(
  t: GraphqlTestApp,
  key: string,
  input: Record<string, unknown>,
  tenantId?: string,
): Promise<GraphqlResponse<{ createRule: RuleResult }>> {
  return t.gql(
    key,
    `mutation($input: CreateRuleInput!, $t: ID) { createRule(input: $input, tenantId: $t) { ${RULE_FIELDS} } }`,
    { input, t: tenantId },
  );
}

/** An HTTP connector's input; `port` 9 is the discard port, nothing is sent in these tests. */
export const httpConnector = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  kind: 'http',
  config: { url: 'http://127.0.0.1:9/ingest', ...extra },
});

/** What the config store holds for a tenant, parsed. */
export async function storedDefinition(
  t: GraphqlTestApp,
  tenantId: string,
): Promise<TenantDefinition | null> {
  const entry = await t.store.get(tenantId);
  if (!entry?.value) return null;
  return JSON.parse(Buffer.from(entry.value).toString('utf8')) as TenantDefinition;
}
