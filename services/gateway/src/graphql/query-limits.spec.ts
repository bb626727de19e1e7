import { buildSchema, parse, validate } from 'graphql';
import { queryLimitsRule } from './query-limits';

const schema = buildSchema(`
  type Item { id: ID! children(first: Int): ItemPage! }
  type ItemPage { nodes: [Item!]! }
  type Query { items(first: Int): ItemPage! item: Item }
`);

const check = (query: string) =>
  validate(schema, parse(query), [queryLimitsRule({ maxDepth: 4, maxCost: 1_000, maxAliases: 3 })]).map(
    (e) => e.message,
  );

describe('queryLimitsRule', () => {
  it('refuses more aliased fields than the limit, once', () => {
    expect(check('{ a: item { id } b: item { id } c: item { id } }')).toEqual([]);
    expect(check('{ a: item { id } b: item { id } c: item { id } d: item { id } e: item { id } }')).toEqual([
      'the document has more than 3 aliased fields',
    ]);
  });

  it('lets a shallow, cheap operation through', () => {
    expect(check('{ items(first: 10) { nodes { id } } }')).toEqual([]);
  });

  it('refuses an operation deeper than the limit, fragments included', () => {
    expect(check('{ item { children { nodes { children { nodes { id } } } } } }')).toEqual([
      'the operation is 6 levels deep; at most 4 are allowed',
    ]);
    expect(
      check('{ item { ...F } } fragment F on Item { children { nodes { children { nodes { id } } } } }'),
    ).toHaveLength(1);
  });

  it('multiplies by page sizes: 500 per page of 3 fields is too costly, 50 is not', () => {
    // items: 1 + 500 * (nodes: 1 + 1 * id: 1) = 1001 > 1000
    expect(check('{ items(first: 500) { nodes { id } } }')[0]).toMatch(/about 1001 fields; at most 1000/);
    expect(check('{ items(first: 50) { nodes { id } } }')).toEqual([]);
    // a variable page size counts as the largest page
    expect(check('query($n: Int) { items(first: $n) { nodes { id } } }')).toHaveLength(1);
  });
});
