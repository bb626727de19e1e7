import { EventEmitter, on } from 'node:events';
import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import {
  BUS,
  createSubjects,
  decodeRuleTraceEvent,
  encodeRuleTap,
  type Bus,
  type Subjects,
} from '@sluice/bus';
import { describeError } from '@sluice/errors';
import type { GatewaySettings } from '../config';
import { RuleTraceUnavailableError } from '../errors/api-errors';
import { GATEWAY_SETTINGS } from '../gateway.settings';
import { RuleTraceEventModel } from './rule-trace.model';

/** How long a tap lasts at the rules replicas without renewal; renewed every third of it. */
export const TAP_TTL_MS = 30_000;

interface Trace {
  tenant: string;
  ruleId: string;
  events: EventEmitter;
  listeners: number;
  unsubscribe: () => void;
  renew: NodeJS.Timeout;
}

/**
 * Live rule traces: while at least one subscriber listens to a rule, this gateway asks the rules
 * replicas to tap it (`subjects.ruleTap`), renews that every TTL/3, and hands the events it receives
 * (`subjects.ruleTrace`) to every subscriber. The last one leaving ends the tap; a gateway that dies
 * stops renewing, so the tap ends by itself within the TTL.
 */
@Injectable()
export class RuleTraceHub implements OnApplicationShutdown {
  private readonly logger = new Logger('RuleTrace');
  private readonly traces = new Map<string, Trace>();
  private readonly subjects: Subjects;

  constructor(
    // why optional: a gateway without a bus (the publish API alone) still serves the schema
    @Optional() @Inject(BUS) private readonly bus: Bus | undefined,
    @Inject(GATEWAY_SETTINGS) settings: GatewaySettings,
  ) {
    this.subjects = createSubjects(settings.SLUICE_BUS_NAMESPACE);
  }

  /**
   * The rule's trace events from now on, until the iterator is returned (the subscriber left). The
   * caller has checked that the rule belongs to the tenant.
   */
  subscribe(tenant: string, ruleId: string): AsyncIterableIterator<RuleTraceEventModel> {
    const bus = this.bus;
    if (!bus) throw new RuleTraceUnavailableError('this gateway is not connected to the bus');
    const trace = this.join(bus, tenant, ruleId);
    const controller = new AbortController();
    const events = on(trace.events, 'event', { signal: controller.signal }) as AsyncIterableIterator<
      [RuleTraceEventModel]
    >;
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      controller.abort();
      this.leave(trace);
    };
    // why by hand rather than an async generator: return() must end the tap at once, even while
    // next() waits for an event that may never come
    const iterator: AsyncIterableIterator<RuleTraceEventModel> = {
      next: async () => {
        try {
          const result = await events.next();
          return result.done ? { done: true, value: undefined } : { done: false, value: result.value[0] };
        } catch (error) {
          if (left) return { done: true, value: undefined };
          throw error;
        }
      },
      return: () => {
        leave();
        return Promise.resolve({ done: true, value: undefined });
      },
      throw: (error: unknown) => {
        leave();
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Rules being traced now, for tests and logs. */
  get active(): number {
    return this.traces.size;
  }

  onApplicationShutdown(): void {
    for (const trace of [...this.traces.values()]) {
      trace.listeners = 1;
      this.leave(trace);
    }
  }

  private join(bus: Bus, tenant: string, ruleId: string): Trace {
    const key = `${tenant}/${ruleId}`;
    let trace = this.traces.get(key);
    if (!trace) {
      const events = new EventEmitter();
      const unsubscribe = bus.onNotify(this.subjects.ruleTrace(tenant, ruleId), (data) => {
        try {
          events.emit('event', RuleTraceEventModel.from(decodeRuleTraceEvent(data)));
        } catch (error) {
          this.logger.warn(`trace event of ${key} dropped: ${describeError(error).message}`);
        }
      });
      const renew = setInterval(() => this.tap(tenant, ruleId, TAP_TTL_MS), TAP_TTL_MS / 3);
      renew.unref();
      trace = { tenant, ruleId, events, listeners: 0, unsubscribe, renew };
      this.traces.set(key, trace);
      this.tap(tenant, ruleId, TAP_TTL_MS);
    }
    trace.listeners++;
    return trace;
  }

  private leave(trace: Trace): void {
    if (--trace.listeners > 0) return;
    clearInterval(trace.renew);
    trace.unsubscribe();
    this.traces.delete(`${trace.tenant}/${trace.ruleId}`);
    this.tap(trace.tenant, trace.ruleId, 0);
  }

  /** Asks the rules replicas to tap the rule for `ttlMs` (0: stop now). */
  private tap(tenant: string, ruleId: string, ttlMs: number): void {
    if (!this.bus) return;
    this.bus
      .notify(this.subjects.ruleTap(tenant), encodeRuleTap({ tenant, ruleId, ttlMs }))
      .catch((e: unknown) => {
        // why only a warning: the next renewal tries again, and an unended tap expires by itself
        this.logger.warn(`rule tap of ${tenant}/${ruleId} not sent: ${describeError(e).message}`);
      });
  }
}
