import type { ExpressionNode } from './expression-node';
import { freeze, type OperationNode, type SourcePosition } from './operation-node';

/** `a AND b`, `a OR b`: short-circuit, operands must be booleans. */
export interface LogicalNode extends OperationNode {
  readonly kind: 'LogicalNode';
  readonly op: 'and' | 'or';
  readonly left: ExpressionNode;
  readonly right: ExpressionNode;
}

export const LogicalNode = freeze({
  create(
    op: 'and' | 'or',
    left: ExpressionNode,
    right: ExpressionNode,
    position: SourcePosition,
  ): LogicalNode {
    return freeze({ kind: 'LogicalNode', op, left, right, position });
  },
});
