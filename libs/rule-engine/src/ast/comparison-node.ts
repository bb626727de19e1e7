import type { ExpressionNode } from './expression-node';
import { freeze, type OperationNode, type SourcePosition } from './operation-node';

export type ComparisonOperator = '=' | '!=' | '<>' | '>' | '<' | '>=' | '<=' | '=~';

/** A comparison with EMQX's coercion and undefined rules; `=~` matches a topic against a filter. */
export interface ComparisonNode extends OperationNode {
  readonly kind: 'ComparisonNode';
  readonly op: ComparisonOperator;
  readonly left: ExpressionNode;
  readonly right: ExpressionNode;
}

export const ComparisonNode = freeze({
  create(
    op: ComparisonOperator,
    left: ExpressionNode,
    right: ExpressionNode,
    position: SourcePosition,
  ): ComparisonNode {
    return freeze({ kind: 'ComparisonNode', op, left, right, position });
  },
});
