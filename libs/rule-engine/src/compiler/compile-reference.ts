import type { PathSegment, ReferenceNode } from '../ast/reference-node';
import { rawPayload, type EvalEnv, type Evaluator } from './eval-env';
import { isSafeKey, stepIndex, stepKey, stepRange, stepSafeKey } from './path-steps';
import type { Scope } from './scope';
import { getOwn, type PlainObject } from './values';

type Step = (value: unknown, env: EvalEnv) => unknown;

/** A column or path read, specialised so that `payload.a` costs one cached decode and one lookup. */
export function compileReference(node: ReferenceNode, scope: Scope): Evaluator {
  const base = compileRoot(node, scope);
  const steps = node.path;
  const first = steps[0];
  if (first === undefined) return base;
  if (steps.length === 1 && first.type === 'key') {
    const key = first.key;
    return isSafeKey(key) ? (env) => stepSafeKey(base(env), key) : (env) => stepKey(base(env), key);
  }
  const second = steps[1];
  if (
    steps.length === 2 &&
    first.type === 'key' &&
    second?.type === 'key' &&
    isSafeKey(first.key) &&
    isSafeKey(second.key)
  ) {
    const [a, b] = [first.key, second.key];
    return (env) => stepSafeKey(stepSafeKey(base(env), a), b);
  }
  const last = steps[steps.length - 1];
  // a range is always last, and unlike a key or index it fails on a missing value (range_get)
  const range = last?.type === 'range' ? last : undefined;
  const compiled = (range ? steps.slice(0, -1) : steps).map((step) => compileStep(step, node.root, scope));
  const walk: Evaluator = (env) => {
    let value = base(env);
    for (const step of compiled) {
      if (value === undefined) return undefined;
      value = step(value, env);
    }
    return value;
  };
  if (!range) return walk;
  const { begin, end } = range;
  return (env) => stepRange(walk(env), begin, end);
}

/**
 * Where a name is looked up, first hit wins (EMQX evaluates against [selected so far, columns]):
 * fields selected earlier in the same list, then the FOREACH item, then the FOREACH fields (in DO
 * and INCASE), then the message's columns.
 */
function compileRoot(node: ReferenceNode, scope: Scope): Evaluator {
  const root = node.root;
  let base: Evaluator;
  if (root === 'payload') {
    base = node.path.length > 0 ? (env) => env.decodedPayload() : (env) => rawPayload(env.ctx.payload);
  } else if (root === 'event') {
    // a message's event column is message.publish unless its context says otherwise (an event's)
    base = (env) => env.ctx.event ?? 'message.publish';
  } else if (isSafeKey(root)) base = (env) => env.ctx[root];
  else base = (env) => getOwn(env.ctx, root);
  if (scope.selected?.has(root)) base = preferring((env) => env.selected, root, base);
  if (scope.item === root) base = (env) => env.item;
  if (scope.aliases.has(root)) base = preferring((env) => env.out, root, base);
  return base;
}

function preferring(
  source: (env: EvalEnv) => PlainObject | undefined,
  root: string,
  otherwise: Evaluator,
): Evaluator {
  return (env) => {
    const map = source(env);
    const value = map === undefined ? undefined : getOwn(map, root);
    return value !== undefined ? value : otherwise(env);
  };
}

function compileStep(step: PathSegment, root: string, scope: Scope): Step {
  switch (step.type) {
    case 'key': {
      const key = step.key;
      return isSafeKey(key) ? (value) => stepSafeKey(value, key) : (value) => stepKey(value, key);
    }
    case 'index': {
      const index = step.index;
      return (value) => stepIndex(value, index);
    }
    case 'index-ref': {
      // emqx_rule_maps resolves an index variable against the data being walked: the payload for payload paths
      const ref = step.ref;
      const index =
        root === 'payload'
          ? compileReference(
              { ...ref, root: 'payload', path: [{ type: 'key', key: ref.root }, ...ref.path] },
              scope,
            )
          : compileReference(ref, scope);
      return (value, env) => stepIndex(value, index(env));
    }
    case 'range': {
      const { begin, end } = step;
      return (value) => stepRange(value, begin, end);
    }
  }
}
