import { RuleRuntimeError } from '../errors';
import type { RuleContext } from '../types';
import { parseJson } from '../numbers/json-numbers';
import { jsonNestsDeeperThan, TOO_DEEP } from './json-depth';
import { isMap, type PlainObject } from './values';

const NOT_DECODED: unique symbol = Symbol('not decoded');
const utf8 = new TextDecoder();

/**
 * The state of one evaluation: the message, its payload decoded at most once (and only when a
 * rule reads into it), the fields selected so far, and the current FOREACH item.
 */
export class EvalEnv {
  private decoded: unknown = NOT_DECODED;
  item: unknown = undefined;
  /** FOREACH: the fields selected before iterating, which DO and INCASE can read. */
  selected: PlainObject | undefined = undefined;

  /**
   * `out` is the output being built; generated code that replaces it before any field is written
   * passes NO_OUTPUT instead of allocating one.
   */
  constructor(
    readonly ctx: RuleContext,
    public out: PlainObject = {},
  ) {}

  /** The payload as a value to step into: decoded from JSON on first use. */
  decodedPayload(): unknown {
    if (this.decoded === NOT_DECODED) this.decoded = decodePayload(this.ctx.payload);
    return this.decoded;
  }
}

/** The output of an evaluation whose fields have not run yet, for code that replaces it (frozen: never written). */
export const NO_OUTPUT: PlainObject = Object.freeze({});

export type Evaluator = (env: EvalEnv) => unknown;

/** The payload as a column value: the published text (bytes read as UTF-8), or a map given as such. */
export function rawPayload(payload: RuleContext['payload']): unknown {
  return payload instanceof Uint8Array ? utf8.decode(payload) : payload;
}

function decodePayload(payload: RuleContext['payload']): unknown {
  if (payload === undefined || isMap(payload)) return payload;
  const text = typeof payload === 'string' ? payload : utf8.decode(payload);
  if (jsonNestsDeeperThan(text)) throw new RuleRuntimeError(`payload is JSON ${TOO_DEEP}`);
  try {
    return parseJson(text);
  } catch {
    // EMQX fails the rule ({decode_json_failed, Payload}) when a non-JSON payload is stepped into
    throw new RuleRuntimeError(`payload is not valid JSON: ${JSON.stringify(text.slice(0, 64))}`);
  }
}
