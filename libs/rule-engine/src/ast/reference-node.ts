import { freeze, type OperationNode, type SourcePosition } from './operation-node';

/** One step of a path: `.key`, `[2]` (1-based, negative from the end), `[var]` or a trailing `[1..2]`. */
export type PathSegment =
  | { readonly type: 'key'; readonly key: string }
  | { readonly type: 'index'; readonly index: number }
  | { readonly type: 'index-ref'; readonly ref: ReferenceNode }
  | { readonly type: 'range'; readonly begin: number; readonly end: number };

/** A column or a path into it: `clientid`, `payload.a.b`, `payload.arr[1]`, `payload.'odd key'`. */
export interface ReferenceNode extends OperationNode {
  readonly kind: 'ReferenceNode';
  readonly root: string;
  readonly path: readonly PathSegment[];
}

export const ReferenceNode = freeze({
  create(root: string, path: readonly PathSegment[], position: SourcePosition): ReferenceNode {
    return freeze({ kind: 'ReferenceNode', root, path: freeze(path.map((s) => freeze(s))), position });
  },
});
