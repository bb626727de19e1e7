import { buildSchemaText, readSchemaFile } from './schema-file';

describe('services/gateway/schema.graphql', () => {
  it('matches the schema the code builds (run `npm run schema:graphql` after changing the API)', async () => {
    const built = await buildSchemaText();
    expect(readSchemaFile()).toBe(built);
  });

  it('holds the operations the issue asks for', async () => {
    const built = await buildSchemaText();
    // why a pattern: an argument with a description is printed on lines of its own
    expect(built).toMatch(/testRule\(\s*context: JSONObject!\s+sql: String!/);
    expect(built).toMatch(/testRule\([\s\S]*?\n {2}\): RuleTestResult!/);
    for (const operation of ['createConnector(', 'usage(', 'createApiKey(']) {
      expect(built).toContain(operation);
    }
  });
});
