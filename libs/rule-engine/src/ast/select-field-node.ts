import type { ExpressionNode } from './expression-node';
import { freeze, type OperationNode, type SourcePosition } from './operation-node';
import type { PathSegment } from './reference-node';
import type { StarNode } from './star-node';

/** Where a field's value goes in the output: `AS x`, `AS a.b`, `AS a[1]`. */
export interface AliasTarget {
  readonly root: string;
  readonly path: readonly PathSegment[];
}

/** One entry of a SELECT, FOREACH or DO list. `alias` is what was written after AS, if anything. */
export interface SelectFieldNode extends OperationNode {
  readonly kind: 'SelectFieldNode';
  readonly expression: ExpressionNode;
  readonly alias: AliasTarget | undefined;
}

export type FieldNode = SelectFieldNode | StarNode;

export const SelectFieldNode = freeze({
  create(
    expression: ExpressionNode,
    alias: AliasTarget | undefined,
    position: SourcePosition,
  ): SelectFieldNode {
    return freeze({
      kind: 'SelectFieldNode',
      expression,
      alias: alias && freeze({ root: alias.root, path: freeze([...alias.path]) }),
      position,
    });
  },
});
