import type { ExpressionNode } from './expression-node';
import { freeze, type OperationNode, type SourcePosition } from './operation-node';

export type ArithmeticOperator = '+' | '-' | '*' | '/' | 'div' | 'mod';

/** Arithmetic: `a + b` (or string concatenation), `-`, `*`, `/`, `div`, `mod`. */
export interface BinaryOpNode extends OperationNode {
  readonly kind: 'BinaryOpNode';
  readonly op: ArithmeticOperator;
  readonly left: ExpressionNode;
  readonly right: ExpressionNode;
}

export const BinaryOpNode = freeze({
  create(
    op: ArithmeticOperator,
    left: ExpressionNode,
    right: ExpressionNode,
    position: SourcePosition,
  ): BinaryOpNode {
    return freeze({ kind: 'BinaryOpNode', op, left, right, position });
  },
});
