import { ConnectorConfigInvalidError } from '@sluice/connectors';
import { splitQueueSettings } from '@sluice/pipeline';
import { InputInvalidError } from '../errors/api-errors';
import { fromGraphqlInput } from '../graphql/json-schema-input';
import { TYPED_KINDS, typedKindSchema, type TypedConnectorConfigs } from './connector-config.input';

/** Where a connector input's configuration came from, and the path its errors name. */
export interface ChosenConfig {
  kind: string;
  /** Undefined: the input changes no configuration (an update of other fields). */
  config?: Record<string, unknown>;
  /** `input.config` or `input.<kind>`. */
  configPath: string;
}

interface ConnectorConfigInput extends TypedConnectorConfigs {
  kind?: string | null;
  config?: Record<string, unknown> | null;
}

/** Where the fields sit in the operation: `input.kind` and `input.http` for mutations. */
export interface ConfigFieldPaths {
  kind: string;
  config: string;
  /** The object holding the typed fields. */
  typed: string;
}

const mutationPaths: ConfigFieldPaths = { kind: 'input.kind', config: 'input.config', typed: 'input' };

/**
 * Picks a connector input's configuration: one typed field (`http: { url }`), whose name is the
 * kind, or the `config` JSON with `kind`. `existingKind` is the stored connector's kind on update.
 *
 * @example chooseConfig({ name: 'x', http: { url } }) // { kind: 'http', config: { url }, configPath: 'input.http' }
 */
export function chooseConfig(
  input: ConnectorConfigInput,
  existingKind?: string,
  paths: ConfigFieldPaths = mutationPaths,
): ChosenConfig {
  const typed = TYPED_KINDS.filter((kind) => input[kind] !== undefined && input[kind] !== null);
  if (typed.length > 1) {
    throw new InputInvalidError(
      `${paths.typed}.${typed[1]}`,
      `give the configuration of one kind only (${typed.join(', ')})`,
    );
  }
  const kindOf = existingKind ?? input.kind ?? undefined;
  const [chosen] = typed;
  if (chosen) {
    const path = `${paths.typed}.${chosen}`;
    if (input.config !== undefined && input.config !== null) {
      throw new InputInvalidError(paths.config, `give either config or ${chosen}, not both`);
    }
    if (kindOf !== undefined && kindOf !== chosen) {
      const field = existingKind === undefined ? paths.kind : path;
      throw new InputInvalidError(field, `the connector is of kind '${kindOf}', not '${chosen}'`);
    }
    return {
      kind: chosen,
      config: fromGraphqlInput(typedKindSchema(chosen), input[chosen]) as Record<string, unknown>,
      configPath: path,
    };
  }
  if (kindOf === undefined) {
    throw new InputInvalidError(
      paths.kind,
      `name the kind, or give a typed configuration (${TYPED_KINDS.join(', ')})`,
    );
  }
  if (existingKind === undefined && (input.config === undefined || input.config === null)) {
    throw new InputInvalidError(
      paths.config,
      `give the configuration: config, or one of ${TYPED_KINDS.join(', ')}`,
    );
  }
  return { kind: kindOf, config: input.config ?? undefined, configPath: paths.config };
}

/**
 * Adds the input's typed `queue` (validated, errors under `input.queue`) to a configuration.
 *
 * @example withQueue({ url }, { maxMessages: 1000 }) // { url, queue: { maxMessages: 1000 } }
 */
export function withQueue(
  config: Record<string, unknown> | undefined,
  queue: object | null | undefined,
): Record<string, unknown> | undefined {
  if (queue === undefined || queue === null) return config;
  const settings = withoutUnset(queue);
  try {
    splitQueueSettings({ queue: settings });
  } catch (error) {
    if (error instanceof ConnectorConfigInvalidError) {
      throw new InputInvalidError(`input.${error.field}`, error.message);
    }
    throw error;
  }
  return { ...config, queue: settings };
}

/** The queue input's given fields (GraphQL hands unset nullable fields as undefined or null). */
function withoutUnset(value: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).filter(([, field]) => field !== undefined && field !== null),
  );
}
