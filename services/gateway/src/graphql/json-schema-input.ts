import { Field, Float, InputType, Int, type ReturnTypeFuncValue } from '@nestjs/graphql';

/** The part of JSON Schema (as `z.toJSONSchema` writes it) that GraphQL input types are made from. */
interface JsonSchema {
  type?: string;
  title?: string;
  description?: string;
  default?: unknown;
  writeOnly?: boolean;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
}

type GraphqlType = ReturnTypeFuncValue;
type InputClass = new () => object;

const built = new Map<string, InputClass>();

/**
 * A GraphQL input type made from the JSON Schema of a zod schema, so the zod schema stays the one
 * place a configuration is written: its fields, which are required (no default, not optional), their
 * descriptions (`.describe()`; a `writeOnly` field says it is a secret, a default is named), integers
 * as `Int`. A nested object becomes `<title>Input` (or `<Parent><Field>Input`); a record becomes a
 * list of `{ name, value }` (`fromGraphqlInput` turns it back). Built once per name.
 *
 * @example inputTypeFromJsonSchema('HttpConnectorConfigInput', connectorKindSchema('http')!.config)
 */
export function inputTypeFromJsonSchema(name: string, schema: unknown): InputClass {
  const existing = built.get(name);
  if (existing) return existing;
  const object = schema as JsonSchema;
  const type = { [name]: class {} }[name]!;
  built.set(name, type);
  const required = new Set(object.required ?? []);
  for (const [field, property] of Object.entries(object.properties ?? {})) {
    const fieldType = graphqlType(`${name.replace(/Input$/, '')}${pascal(field)}`, property);
    Field(() => fieldType, { nullable: !required.has(field), description: describe(property) })(
      type.prototype,
      field,
    );
  }
  InputType(name, { description: object.description })(type);
  return type;
}

/**
 * A value of an input type made by `inputTypeFromJsonSchema`, as the schema describes it: unset
 * fields left out, `{ name, value }` lists back to records.
 *
 * @example fromGraphqlInput(schema, { url, headers: [{ name: 'a', value: 'b' }], tls: null }) // { url, headers: { a: 'b' } }
 */
export function fromGraphqlInput(schema: unknown, value: unknown): unknown {
  const node = unwrap(schema as JsonSchema);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (isRecordSchema(node)) {
      const entries = value as { name: string; value: unknown }[];
      return Object.fromEntries(
        entries.map((e) => [e.name, fromGraphqlInput(node.additionalProperties, e.value)]),
      );
    }
    return value.map((item) => fromGraphqlInput(node.items, item));
  }
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    if (field === undefined || field === null) continue;
    out[name] = fromGraphqlInput(node.properties?.[name], field);
  }
  return out;
}

function graphqlType(nameBase: string, schema: JsonSchema): GraphqlType {
  const node = unwrap(schema);
  if (node.type === 'integer') return Int;
  if (node.type === 'number') return Float;
  if (node.type === 'boolean') return Boolean;
  if (node.type === 'string') return String;
  if (node.type === 'array') return [graphqlType(nameBase, node.items ?? {})] as ReturnTypeFuncValue;
  if (node.type === 'object' && isRecordSchema(node)) {
    const entry = `${node.title ?? `${nameBase}Entry`}Input`;
    const entrySchema: JsonSchema = {
      type: 'object',
      properties: { name: { type: 'string' }, value: node.additionalProperties as JsonSchema },
      required: ['name', 'value'],
    };
    return [inputTypeFromJsonSchema(entry, entrySchema)];
  }
  if (node.type === 'object') return inputTypeFromJsonSchema(`${node.title ?? nameBase}Input`, node);
  throw new Error(`${nameBase}: no GraphQL input type for JSON Schema ${JSON.stringify(schema)}`);
}

/**
 * One branch for a union: the array of `one | many` (GraphQL takes a single value for a list), or
 * the common type of numeric or string constants (`3 | 4 | 5` is an Int).
 */
function unwrap(schema: JsonSchema | undefined): JsonSchema {
  const branches = schema?.anyOf;
  if (!schema || !branches) return schema ?? {};
  const array = branches.find((b) => b.type === 'array');
  if (array) return array;
  if (branches.every((b) => typeof b.const === 'number' && Number.isInteger(b.const)))
    return { type: 'integer' };
  if (branches.every((b) => b.type === branches[0]?.type)) return { type: branches[0]?.type };
  return schema;
}

function isRecordSchema(schema: JsonSchema): boolean {
  return schema.type === 'object' && !schema.properties && typeof schema.additionalProperties === 'object';
}

function describe(schema: JsonSchema): string | undefined {
  const parts: string[] = [];
  if (schema.description) parts.push(schema.description);
  else if (schema.writeOnly) parts.push('Secret: write-only.');
  if (schema.enum) parts.push(`One of ${schema.enum.join(', ')}.`);
  const fallback = schema.default;
  if (typeof fallback === 'string' || typeof fallback === 'number' || typeof fallback === 'boolean') {
    parts.push(`Default ${String(fallback)}.`);
  }
  return parts.length ? parts.join(' ') : undefined;
}

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);
