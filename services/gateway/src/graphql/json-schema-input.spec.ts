import { fromGraphqlInput, inputTypeFromJsonSchema } from './json-schema-input';

describe('GraphQL input types from JSON Schema', () => {
  const schema = {
    type: 'object',
    properties: {
      url: { type: 'string' },
      headers: { type: 'object', title: 'SpecHeader', additionalProperties: { type: 'string' } },
      tls: { type: 'object', properties: { ca: { type: 'string' } } },
      servers: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    },
    required: ['url'],
  };

  it('turns a typed input back into the configuration the schema describes', () => {
    inputTypeFromJsonSchema('SpecConfigInput', schema);
    expect(
      fromGraphqlInput(schema, {
        url: 'http://h',
        headers: [
          { name: 'authorization', value: 'Bearer t' },
          { name: 'x-a', value: '1' },
        ],
        tls: { ca: 'CA', servername: null },
        servers: ['nats://a:4222'],
        poolSize: undefined,
      }),
    ).toEqual({
      url: 'http://h',
      headers: { authorization: 'Bearer t', 'x-a': '1' },
      tls: { ca: 'CA' },
      servers: ['nats://a:4222'],
    });
  });

  it('refuses a field it has no GraphQL type for, naming it', () => {
    expect(() =>
      inputTypeFromJsonSchema('SpecBadInput', { type: 'object', properties: { when: { type: 'null' } } }),
    ).toThrow(/SpecBadWhen: no GraphQL input type/);
  });
});
