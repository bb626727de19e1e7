import { freeze, type OperationNode, type SourcePosition } from './operation-node';

/** `*`: every column of the message. */
export interface StarNode extends OperationNode {
  readonly kind: 'StarNode';
}

export const StarNode = freeze({
  create(position: SourcePosition): StarNode {
    return freeze({ kind: 'StarNode', position });
  },
});
