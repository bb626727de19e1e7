import type { ExpressionNode } from './expression-node';
import { freeze, type OperationNode, type SourcePosition } from './operation-node';

/** `x IN (a, b)` and `x NOT IN (a, b)`: exact membership, no type coercion. */
export interface InNode extends OperationNode {
  readonly kind: 'InNode';
  readonly operand: ExpressionNode;
  readonly list: readonly ExpressionNode[];
  readonly negated: boolean;
}

export const InNode = freeze({
  create(
    operand: ExpressionNode,
    list: readonly ExpressionNode[],
    negated: boolean,
    position: SourcePosition,
  ): InNode {
    return freeze({ kind: 'InNode', operand, list: freeze([...list]), negated, position });
  },
});
