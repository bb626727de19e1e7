import {
  decodeRuleTap,
  encodeRuleTraceEvent,
  type Bus,
  type IngestEnvelope,
  type RuleTap,
  type Subjects,
} from '@sluice/bus';
import { describeError } from '@sluice/errors';
import { stringifyJson, type RuleResult } from '@sluice/rule-engine';
import { toRuleContext } from '../message-context';
import type { StageLogger } from '../stage-logger';

/** The longest payload a trace event carries in its context (NATS notifications stay small). */
export const TRACE_PAYLOAD_MAX_BYTES = 64 * 1024;

export interface RuleTapOptions {
  /** The replica, in each event. */
  node: string;
  /** Events per tapped rule and second at most; the rest are counted in the next event's `skipped`. */
  maxPerSecond?: number;
  /** A tap lasts at most this long without renewal, whatever it asks. */
  maxTtlMs?: number;
}

interface ActiveTap {
  expiresAt: number;
  windowStart: number;
  sent: number;
  skipped: number;
}

const DEFAULT_MAX_PER_SECOND = 20;
const DEFAULT_MAX_TTL_MS = 60_000;

/**
 * The rules service's side of a live rule trace: the gateway asks (`subjects.ruleTap`) to tap a
 * rule for a while and renews the request while someone listens; meanwhile each evaluation of that
 * rule is published on `subjects.ruleTrace(tenant, rule)`, at most `maxPerSecond`, never stored.
 * With no tap active, `observe` costs one size check.
 *
 * @example
 * const taps = new RuleTaps(bus, subjects, log, { node: replicaNode('rules') });
 * taps.start();
 * taps.observe(tenant, ruleId, envelope, result); // in the rule stage, after each evaluation
 */
export class RuleTaps {
  private readonly taps = new Map<string, ActiveTap>();
  private readonly maxPerSecond: number;
  private readonly maxTtlMs: number;
  private unsubscribe?: () => void;

  constructor(
    private readonly bus: Bus,
    private readonly subjects: Subjects,
    private readonly log: StageLogger,
    private readonly options: RuleTapOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.maxPerSecond = options.maxPerSecond ?? DEFAULT_MAX_PER_SECOND;
    this.maxTtlMs = options.maxTtlMs ?? DEFAULT_MAX_TTL_MS;
  }

  /** Listens for tap requests of every tenant. */
  start(): void {
    this.unsubscribe ??= this.bus.onNotify(this.subjects.ruleTap(), (data, subject) => {
      try {
        const tap = decodeRuleTap(data);
        if (subject !== this.subjects.ruleTap(tap.tenant))
          throw new Error(`tap of ${tap.tenant} on ${subject}`);
        this.request(tap);
      } catch (error) {
        this.log.warn(`rule tap on ${subject} ignored: ${describeError(error).message}`);
      }
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.taps.clear();
  }

  /** Starts or renews a tap; a TTL of 0 ends it. */
  request(tap: RuleTap): void {
    const key = `${tap.tenant}/${tap.ruleId}`;
    if (tap.ttlMs === 0) {
      this.taps.delete(key);
      return;
    }
    const expiresAt = this.now() + Math.min(tap.ttlMs, this.maxTtlMs);
    const active = this.taps.get(key);
    if (active) active.expiresAt = expiresAt;
    else this.taps.set(key, { expiresAt, windowStart: 0, sent: 0, skipped: 0 });
  }

  /** How many rules are tapped now. */
  get size(): number {
    return this.taps.size;
  }

  /** Called by the rule stage after each evaluation; publishes it when the rule is tapped. */
  observe(tenant: string, ruleId: string, envelope: IngestEnvelope, result: RuleResult): void {
    if (this.taps.size === 0) return;
    const key = `${tenant}/${ruleId}`;
    const tap = this.taps.get(key);
    if (!tap) return;
    const now = this.now();
    if (now > tap.expiresAt) {
      this.taps.delete(key);
      return;
    }
    if (now - tap.windowStart >= 1_000) {
      tap.windowStart = now;
      tap.sent = 0;
    }
    if (tap.sent >= this.maxPerSecond) {
      tap.skipped++;
      return;
    }
    tap.sent++;
    const skipped = tap.skipped;
    tap.skipped = 0;
    const error = 'error' in result ? result.error.message : '';
    const outputs = 'matched' in result && result.matched ? result.outputs : [];
    const data = encodeRuleTraceEvent({
      tenant,
      ruleId,
      messageId: envelope.id,
      topic: envelope.topic,
      matched: outputs.length > 0,
      outputs: outputs.map((o) => stringifyJson(o)),
      error,
      at: now,
      node: this.options.node,
      skipped,
      context: traceContext(envelope),
    });
    // why not awaited: a trace is best effort and must never slow or fail the message
    this.bus.notify(this.subjects.ruleTrace(tenant, ruleId), data).catch((e: unknown) => {
      this.log.warn(`trace event of rule ${key} not sent: ${describeError(e).message}`);
    });
  }
}

function traceContext(envelope: IngestEnvelope): string {
  const long = envelope.payload.byteLength > TRACE_PAYLOAD_MAX_BYTES;
  const context = toRuleContext(
    long ? { ...envelope, payload: envelope.payload.subarray(0, TRACE_PAYLOAD_MAX_BYTES) } : envelope,
  );
  return JSON.stringify(long ? { ...context, payload_truncated: true } : context);
}
