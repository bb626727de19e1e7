import type { ActionRequest } from '@sluice/bus';
import type { DeliveryOutcome } from '@sluice/connectors';
import { endSpan, type Span } from '@sluice/telemetry';

export function endDeliverySpan(
  span: Span,
  request: ActionRequest,
  attempt: number,
  outcome: DeliveryOutcome,
): void {
  // why the check: a sampled-out message must not pay for building attributes
  if (span.isRecording()) {
    span.setAttributes({
      'sluice.tenant': request.tenant,
      'sluice.rule.id': request.ruleId,
      'sluice.action.id': request.actionId,
      'sluice.connector.id': request.connectorId,
      'sluice.delivery.attempt': attempt,
      'sluice.delivery.outcome': outcome.ok ? 'OK' : outcome.code,
      'messaging.message.id': request.id,
    });
  }
  endSpan(span, outcome.ok ? undefined : outcome);
}
