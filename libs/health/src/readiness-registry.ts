import { Injectable } from '@nestjs/common';

export interface ProbeResult {
  up: boolean;
  detail?: string;
}

/**
 * Something this process needs to do its own work: its bus, its database, the operator's broker.
 * Never a tenant's target or a broker a tenant chose: those are status, metrics and alerts, and one
 * tenant's outage must not take the process out of service for all (docs/operations.md, "Health").
 */
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
