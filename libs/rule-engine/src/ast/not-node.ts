import type { ExpressionNode } from './expression-node';
import { freeze, type OperationNode, type SourcePosition } from './operation-node';

/** `NOT x`: true only when x is false (a non-boolean gives false, as in EMQX). */
export interface NotNode extends OperationNode {
  readonly kind: 'NotNode';
  readonly operand: ExpressionNode;
}

export const NotNode = freeze({
  create(operand: ExpressionNode, position: SourcePosition): NotNode {
    return freeze({ kind: 'NotNode', operand, position });
  },
});
