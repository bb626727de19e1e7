import type { ErlangNumber } from '../numbers/erlang-number';
import { freeze, type OperationNode, type SourcePosition } from './operation-node';

/** A string, number (an Erlang integer or float) or boolean constant (EMQX has no null literal: `null` is a missing column). */
export interface LiteralNode extends OperationNode {
  readonly kind: 'LiteralNode';
  readonly value: string | ErlangNumber | boolean;
}

export const LiteralNode = freeze({
  create(value: string | ErlangNumber | boolean, position: SourcePosition): LiteralNode {
    return freeze({ kind: 'LiteralNode', value, position });
  },
});
