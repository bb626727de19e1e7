import { RuleRuntimeError } from '../errors';
import { rawPayload, type EvalEnv } from './eval-env';
import { stepKey } from './path-steps';
import { getOwn, isMap } from './values';

/** A function that reads the message itself (EMQX's "message functions"), so it lives with the evaluator. */
export interface ContextFunction {
  readonly minArgs: number;
  readonly maxArgs: number;
  call(env: EvalEnv, args: unknown[]): unknown;
}

const column = (name: string): ContextFunction => ({ minArgs: 0, maxArgs: 0, call: (env) => env.ctx[name] });

/**
 * topic(), topic(n) (the n-th level, 1-based), clientid(), clientip(), peerhost(), username(),
 * qos(), msgid(), flags(), flag(name), payload() and payload('a.b').
 */
export const contextFunctions: ReadonlyMap<string, ContextFunction> = new Map<string, ContextFunction>([
  [
    'topic',
    {
      minArgs: 0,
      maxArgs: 1,
      call(env, args) {
        const topic = env.ctx.topic;
        if (args.length === 0) return topic;
        const n = args[0];
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
          throw new RuleRuntimeError('topic(N) needs a positive integer level');
        }
        return topic?.split('/')[n - 1];
      },
    },
  ],
  ['clientid', column('clientid')],
  ['username', column('username')],
  ['peerhost', column('peerhost')],
  ['clientip', column('peerhost')],
  ['qos', column('qos')],
  ['msgid', column('id')],
  ['flags', column('flags')],
  [
    'flag',
    {
      minArgs: 1,
      maxArgs: 1,
      call(env, [name]) {
        const flags = env.ctx.flags;
        return isMap(flags) && typeof name === 'string' ? getOwn(flags, name) : undefined;
      },
    },
  ],
  [
    'payload',
    {
      minArgs: 0,
      maxArgs: 1,
      call(env, args) {
        if (args.length === 0) return rawPayload(env.ctx.payload);
        const path = args[0];
        if (typeof path !== 'string')
          throw new RuleRuntimeError("payload(Path) needs a string path like 'a.b'");
        return path.split('.').reduce<unknown>((value, key) => stepKey(value, key), env.decodedPayload());
      },
    },
  ],
]);
