import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSchema } from 'graphql';

const root = resolve(__dirname, '../..');

// docs/graphql-api.md is where an API user looks for what there is: every query, mutation and
// subscription of the checked-in schema is named there.
describe('docs/graphql-api.md', () => {
  it('names every root field of services/gateway/schema.graphql', () => {
    const schema = buildSchema(readFileSync(join(root, 'services/gateway/schema.graphql'), 'utf8'));
    const page = readFileSync(join(root, 'docs/graphql-api.md'), 'utf8');
    const fields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap(
      (type) => Object.keys(type?.getFields() ?? {}),
    );
    expect(fields.length).toBeGreaterThan(40);
    expect(fields.filter((field) => !page.includes(`\`${field}`))).toEqual([]);
  });
});
