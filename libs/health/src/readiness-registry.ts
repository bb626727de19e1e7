import { Injectable } from '@nestjs/common';

export interface ProbeResult {
  up: boolean;
  detail?: string;
}

/** Something a service needs to do its work: NATS, the MQTT broker, the database, a connector. */
export interface ReadinessProbe {
  name: string;
  check(): ProbeResult | Promise<ProbeResult>;
}

/**
 * Where each service registers what readiness depends on. One registry per process, so in the
 * embedded mode `/health/ready` covers all four services.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly probes = new Map<string, ReadinessProbe>();

  register(probe: ReadinessProbe): void {
    this.probes.set(probe.name, probe);
  }

  unregister(name: string): void {
    this.probes.delete(name);
  }

  list(): ReadinessProbe[] {
    return [...this.probes.values()];
  }
}
