import type { ExpressionNode } from './expression-node';
import { freeze, type OperationNode, type SourcePosition } from './operation-node';

/** An array literal `[1, payload.x, 'a']`. */
export interface ListNode extends OperationNode {
  readonly kind: 'ListNode';
  readonly elements: readonly ExpressionNode[];
}

export const ListNode = freeze({
  create(elements: readonly ExpressionNode[], position: SourcePosition): ListNode {
    return freeze({ kind: 'ListNode', elements: freeze([...elements]), position });
  },
});
