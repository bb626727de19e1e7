import type { ExpressionNode } from './expression-node';
import { freeze, type OperationNode, type SourcePosition } from './operation-node';

/** Unary `-x` or `+x`. */
export interface UnaryOpNode extends OperationNode {
  readonly kind: 'UnaryOpNode';
  readonly op: '-' | '+';
  readonly operand: ExpressionNode;
}

export const UnaryOpNode = freeze({
  create(op: '-' | '+', operand: ExpressionNode, position: SourcePosition): UnaryOpNode {
    return freeze({ kind: 'UnaryOpNode', op, operand, position });
  },
});
