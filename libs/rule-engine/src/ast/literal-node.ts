import { freeze, type OperationNode, type SourcePosition } from './operation-node';

/** A string, number or boolean constant (EMQX has no null literal: `null` is a missing column). */
export interface LiteralNode extends OperationNode {
  readonly kind: 'LiteralNode';
  readonly value: string | number | boolean;
}

export const LiteralNode = freeze({
  create(value: string | number | boolean, position: SourcePosition): LiteralNode {
    return freeze({ kind: 'LiteralNode', value, position });
  },
});
