import type { ConnectorHandle, DeliveryStage } from '../delivery-stage';
import type { ComponentProbeResult } from './status-announcer';

/**
 * A connector's state for status announcements: its own connection state, and "disconnected"
 * while its circuit breaker pauses deliveries (a target that accepts connections but fails every
 * write is down too), as `DeliveryStage.connectorHealth` decides.
 *
 * @example announcer.track(handle.tenant, 'connector', handle.id, connectorProbe(stage, handle));
 */
export function connectorProbe(stage: DeliveryStage, handle: ConnectorHandle): () => ComponentProbeResult {
  return () => {
    const own = handle.connector.status();
    if (own.state !== 'connected') return { state: own.state, reason: own.reason };
    const health = stage.connectorHealth(handle);
    return health.up ? { state: 'connected' } : { state: 'disconnected', reason: health.detail };
  };
}
