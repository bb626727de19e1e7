import { SecretBox, EntityNotFoundError, type Repositories } from '@sluice/persistence';
import { compileRule, RuleCompileError, RuleSqlError } from '@sluice/rule-engine';
import { connectorRunConfig, type OperatorBroker } from '@sluice/pipeline';
import { mergeSecrets } from '../connectors/config-secrets';
import { asInputError, buildConnector } from '../connectors/connector-validation';
import { InputInvalidError, RuleSyntaxError } from '../errors/api-errors';
import { closeQuietly } from '../propagation/definition-check';
import { openSecrets } from '../propagation/tenant-definition';

/** Compiles rule SQL: a syntax error becomes RULE_SYNTAX with line and column. */
export function checkRuleSql(sql: string, field = 'input.sql'): void {
  try {
    compileRule(sql);
  } catch (error) {
    if (error instanceof RuleSqlError)
      throw new RuleSyntaxError(error.message, field, error.line, error.column);
    if (error instanceof RuleCompileError) throw new InputInvalidError(field, error.message);
    throw error;
  }
}

/**
 * Checks an action against its connector, in the tenant (another tenant's connector is NOT_FOUND):
 * the connector's kind validates the templates and options; a bad one names `<field>.config.<path>`.
 */
export async function checkAction(
  repos: Repositories,
  box: SecretBox,
  tenantId: string,
  action: { connectorId: string; config: Record<string, unknown> },
  field: string,
  operatorBroker?: OperatorBroker,
): Promise<void> {
  const connector = await repos.connectors.get(tenantId, action.connectorId);
  if (!connector) throw new EntityNotFoundError('Connector', action.connectorId);
  // why the run configuration: an MQTT connector without url runs on the operator's broker
  const { config } = connectorRunConfig(
    tenantId,
    undefined,
    {
      id: connector.id,
      kind: connector.kind,
      config: mergeSecrets(connector.config, openSecrets(box, 'connector', connector)),
    },
    operatorBroker,
  );
  const built = buildConnector(connector.kind, config, field);
  try {
    built.createAction(action.config);
  } catch (error) {
    throw asInputError(error, field);
  } finally {
    await closeQuietly(built);
  }
}
