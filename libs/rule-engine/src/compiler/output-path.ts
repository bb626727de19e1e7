import type { PathSegment } from '../ast/reference-node';
import { decodeJsonOrUndefined, getOwn, isMap, setOwn, type PlainObject } from './values';

export type OutputSegment = Extract<PathSegment, { type: 'key' } | { type: 'index' }>;

/** Where a field's value lands in the output map. */
export interface OutputTarget {
  readonly root: string;
  readonly path: readonly OutputSegment[];
}

/**
 * Writes `value` at `target` inside `out`, like emqx_rule_maps:nested_put in EMQX 5: undefined is
 * written too (it disappears when the output is serialised to JSON), missing levels are created, containers are copied before they change (they may be
 * shared with the message), and an index writes into an existing list only (`[0]` prepends,
 * `[-0]` appends, out of range leaves it as it was).
 */
export function putOutput(out: PlainObject, target: OutputTarget, value: unknown): void {
  if (target.path.length === 0) {
    setOwn(out, target.root, value);
    return;
  }
  let current = getOwn(out, target.root);
  // EMQX decodes a selected raw payload before writing into it (`SELECT *, payload.x AS payload.y`)
  if (target.root === 'payload' && typeof current === 'string') current = decodeJsonOrUndefined(current);
  setOwn(out, target.root, putPath(current, target.path, 0, value));
}

function putPath(container: unknown, path: readonly OutputSegment[], i: number, value: unknown): unknown {
  const segment = path[i];
  if (segment === undefined) return value;
  if (segment.type === 'key') {
    const map: PlainObject = isMap(container) ? { ...container } : {};
    setOwn(map, segment.key, putPath(getOwn(map, segment.key), path, i + 1, value));
    return map;
  }
  if (!Array.isArray(container)) return [putPath(undefined, path, i + 1, value)];
  const list = container as unknown[];
  const index = segment.index;
  if (index === 0) {
    const element = putPath(undefined, path, i + 1, value);
    return Object.is(index, -0) ? [...list, element] : [element, ...list];
  }
  const position = index > 0 ? index - 1 : list.length + index;
  if (position < 0 || position >= list.length) return list;
  const copy = list.slice();
  copy[position] = putPath(list[position], path, i + 1, value);
  return copy;
}
