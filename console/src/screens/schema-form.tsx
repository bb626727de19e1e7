import { Field } from '../ui';

/** The part of JSON Schema the connectors' schemas use (derived from zod by the gateway). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  default?: unknown;
  description?: string;
  additionalProperties?: boolean | JsonSchema;
  minimum?: number;
  maximum?: number;
}

export type Values = Record<string, unknown>;

interface Props {
  schema: JsonSchema;
  value: Values;
  onChange: (next: Values) => void;
  /** Secret paths (`password`, `tls.key`, `sasl.password`): write-only inputs. */
  secrets: string[];
  /** Secrets already stored (from secretsSet): an empty input keeps them. */
  secretsSet?: string[];
  prefix?: string;
}

function choices(schema: JsonSchema): unknown[] | undefined {
  if (schema.enum) return schema.enum;
  if (schema.anyOf?.every((s) => 'const' in s)) return schema.anyOf.map((s) => s.const);
  return undefined;
}

function typeOf(schema: JsonSchema): string {
  const t = Array.isArray(schema.type) ? schema.type.find((x) => x !== 'null') : schema.type;
  return t ?? 'json';
}

const label = (name: string) =>
  name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());

/**
 * A form generated from a JSON Schema: one input per property, by type; nested objects in their own
 * group; secrets as password inputs that never show a value. Empty inputs are left out, so the
 * connector's defaults apply.
 */
export function SchemaForm({ schema, value, onChange, secrets, secretsSet = [], prefix = '' }: Props) {
  const props = schema.properties ?? {};
  const set = (key: string, v: unknown) => {
    const next = { ...value };
    if (v === undefined || v === '') delete next[key];
    else next[key] = v;
    onChange(next);
  };
  return (
    <div class="schema-form">
      {Object.entries(props).map(([key, prop]) => {
        const path = prefix ? `${prefix}.${key}` : key;
        const required = schema.required?.includes(key) ?? false;
        const title = `${label(key)}${required ? ' *' : ''}`;
        const hint = [
          prop.description,
          prop.default !== undefined ? `default ${JSON.stringify(prop.default)}` : '',
        ]
          .filter(Boolean)
          .join(' · ');
        const current = value[key];
        const options = choices(prop);
        const type = typeOf(prop);
        if (type === 'object' && prop.properties) {
          return (
            <details class="group" open={current !== undefined}>
              <summary>{title}</summary>
              <SchemaForm
                schema={prop}
                value={(current as Values | undefined) ?? {}}
                onChange={(v) => set(key, Object.keys(v).length ? v : undefined)}
                secrets={secrets}
                secretsSet={secretsSet}
                prefix={path}
              />
            </details>
          );
        }
        if (secrets.includes(path) && type === 'string') {
          const stored = secretsSet.includes(path);
          return (
            <Field
              label={title}
              hint={stored ? 'Set. Leave empty to keep it; it is never shown.' : 'Secret: write-only.'}
            >
              <input
                name={path}
                type="password"
                autoComplete="new-password"
                value={(current as string | undefined) ?? ''}
                onInput={(e) => set(key, (e.target as HTMLInputElement).value)}
              />
            </Field>
          );
        }
        if (options) {
          return (
            <Field label={title} hint={hint}>
              <select
                name={path}
                value={current === undefined ? '' : JSON.stringify(current)}
                onChange={(e) => {
                  const v = (e.target as HTMLSelectElement).value;
                  set(key, v === '' ? undefined : JSON.parse(v));
                }}
              >
                <option value="">{required ? 'choose…' : '(default)'}</option>
                {options.map((o) => (
                  <option value={JSON.stringify(o)}>{String(o)}</option>
                ))}
              </select>
            </Field>
          );
        }
        if (type === 'boolean') {
          return (
            <Field label={title} hint={hint}>
              <select
                name={path}
                value={current === undefined ? '' : JSON.stringify(current)}
                onChange={(e) => {
                  const v = (e.target as HTMLSelectElement).value;
                  set(key, v === '' ? undefined : v === 'true');
                }}
              >
                <option value="">(default)</option>
                <option value="true">yes</option>
                <option value="false">no</option>
              </select>
            </Field>
          );
        }
        if (type === 'integer' || type === 'number') {
          return (
            <Field label={title} hint={hint}>
              <input
                name={path}
                type="number"
                step={type === 'integer' ? 1 : 'any'}
                value={current === undefined ? '' : JSON.stringify(current)}
                onInput={(e) => {
                  const v = (e.target as HTMLInputElement).value;
                  set(key, v === '' ? undefined : Number(v));
                }}
              />
            </Field>
          );
        }
        if (type === 'string') {
          return (
            <Field
              label={title}
              hint={
                path === 'url' && secrets.includes('url.password')
                  ? 'A password in the URL is kept as a secret.'
                  : hint
              }
            >
              <input
                name={path}
                required={required}
                value={(current as string | undefined) ?? ''}
                onInput={(e) => set(key, (e.target as HTMLInputElement).value)}
              />
            </Field>
          );
        }
        if (type === 'array' && prop.items && typeOf(prop.items) === 'string') {
          return (
            <Field label={title} hint={`One per line.${hint ? ` ${hint}` : ''}`}>
              <textarea
                name={path}
                rows={2}
                required={required}
                value={((current as string[] | undefined) ?? []).join('\n')}
                onInput={(e) => {
                  const lines = (e.target as HTMLTextAreaElement).value
                    .split('\n')
                    .map((l) => l.trim())
                    .filter(Boolean);
                  set(key, lines.length ? lines : undefined);
                }}
              />
            </Field>
          );
        }
        return (
          <JsonField
            key={path}
            name={path}
            title={title}
            hint={hint}
            value={current}
            onChange={(v) => set(key, v)}
          />
        );
      })}
    </div>
  );
}

function JsonField({
  name,
  title,
  hint,
  value,
  onChange,
}: {
  name: string;
  title: string;
  hint: string;
  value: unknown;
  onChange: (v: unknown) => void;
}) {
  return (
    <Field label={title} hint={`JSON.${hint ? ` ${hint}` : ''}`}>
      <textarea
        name={name}
        rows={2}
        class="mono"
        defaultValue={value === undefined ? '' : JSON.stringify(value)}
        onInput={(e) => {
          const text = (e.target as HTMLTextAreaElement).value.trim();
          const el = e.target as HTMLTextAreaElement;
          if (!text) return onChange(undefined);
          try {
            onChange(JSON.parse(text));
            el.setCustomValidity('');
          } catch {
            el.setCustomValidity('not valid JSON');
          }
          el.reportValidity();
        }}
      />
    </Field>
  );
}
