import type { ExpressionNode } from './expression-node';
import { freeze, type OperationNode, type SourcePosition } from './operation-node';

/** `name(args...)`; the name keeps its spelling, lookup is case-insensitive. */
export interface FunctionCallNode extends OperationNode {
  readonly kind: 'FunctionCallNode';
  readonly name: string;
  readonly args: readonly ExpressionNode[];
}

export const FunctionCallNode = freeze({
  create(name: string, args: readonly ExpressionNode[], position: SourcePosition): FunctionCallNode {
    return freeze({ kind: 'FunctionCallNode', name, args: freeze([...args]), position });
  },
});
