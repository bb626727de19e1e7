import { createConnector, type Connector } from '@sluice/connectors';
import {
  connectorRunConfig,
  splitQueueSettings,
  type OperatorBroker,
  type TenantDefinition,
} from '@sluice/pipeline';
import { compileRule } from '@sluice/rule-engine';

/**
 * Builds (without starting) every connector and action of a rendered definition and compiles every
 * rule, as the services will (a connector with what Sluice sets on it, `connectorRunConfig`): it
 * throws the first problem (a BAD_INPUT SluiceError), so a change that the services would refuse is
 * never committed and the running version stays.
 */
export async function checkDefinition(
  definition: TenantDefinition,
  operatorBroker?: OperatorBroker,
): Promise<void> {
  for (const rule of definition.rules) compileRule(rule.sql);
  const actionsByConnector = new Map<string, unknown[]>();
  for (const rule of definition.rules) {
    for (const action of rule.actions) {
      const list = actionsByConnector.get(action.connector) ?? [];
      list.push(action.config);
      actionsByConnector.set(action.connector, list);
    }
  }
  for (const { kind, config, id } of definition.connectors) {
    const run = connectorRunConfig(
      definition.id,
      definition.mountpoint,
      { id, kind, config: splitQueueSettings(config).config },
      operatorBroker,
    );
    const connector = createConnector(kind, run.config);
    try {
      for (const actionConfig of actionsByConnector.get(id) ?? []) connector.createAction(actionConfig);
    } finally {
      await closeQuietly(connector);
    }
  }
}

/** Closes a connector that was built only to validate its configuration. */
export async function closeQuietly(connector: Connector): Promise<void> {
  try {
    await connector.close();
  } catch {
    // why ignored: it never started; closing only releases the idle pool objects
  }
}
