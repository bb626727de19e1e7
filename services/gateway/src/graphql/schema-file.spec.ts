import { buildSchemaText, readSchemaFile } from './schema-file';

describe('services/gateway/schema.graphql', () => {
  it('matches the schema the code builds (run `npm run schema:graphql` after changing the API)', async () => {
    const built = await buildSchemaText();
    expect(readSchemaFile()).toBe(built);
  });

  it('holds the operations the issue asks for', async () => {
    const built = await buildSchemaText();
    for (const operation of [
      'testRule(context: JSONObject!, sql: String!): RuleTestResult!',
      'createConnector(',
      'usage(',
      'createApiKey(',
    ]) {
      expect(built).toContain(operation);
    }
  });
});
