import {
  ConnectorConfigInvalidError,
  ConnectorKindUnknownError,
  createConnector,
  type Connector,
  type ConnectorOptions,
} from '@sluice/connectors';
import { reservedSubjectReason } from '@sluice/bus';
import { splitQueueSettings } from '@sluice/pipeline';
import { InputInvalidError } from '../errors/api-errors';
import { closeQuietly } from '../propagation/definition-check';

/**
 * Builds a connector (without connecting) to validate its configuration; a bad field becomes
 * BAD_USER_INPUT with its path under `field` (`input.config.url`), or under `configPath` when the
 * configuration came from elsewhere in the input (`input.http.url`).
 */
export async function validateConnectorConfig(
  kind: string,
  config: unknown,
  field = 'input',
  configPath?: string,
): Promise<void> {
  await closeQuietly(buildConnector(kind, config, field, configPath));
}

/** {@link validateConnectorConfig} that hands the built connector back (for testConnector). */
export function buildConnector(
  kind: string,
  config: unknown,
  field = 'input',
  configPath?: string,
  options: ConnectorOptions = { reservedSubject: reservedSubjectReason },
): Connector {
  try {
    // why split: `queue` is the pipeline's (the action queue bound), validated there, not the driver's
    const record = config && typeof config === 'object' ? (config as Record<string, unknown>) : undefined;
    return createConnector(kind, record ? splitQueueSettings(record).config : config, options);
  } catch (error) {
    throw asInputError(error, field, configPath);
  }
}

/** Maps the connectors library's validation errors to field paths in the operation's input. */
export function asInputError(error: unknown, field: string, configPath?: string): unknown {
  const under = (name: string) => (field ? `${field}.${name}` : name);
  const config = configPath ?? under('config');
  if (error instanceof ConnectorKindUnknownError) return new InputInvalidError(under('kind'), error.message);
  if (error instanceof ConnectorConfigInvalidError) {
    const path = error.field ? `${config}.${error.field}` : config;
    return new InputInvalidError(path, error.message);
  }
  return error;
}
