import { freeze, type OperationNode, type SourcePosition } from './operation-node';

/** A range literal `[1..4]`, which evaluates to the list [1, 2, 3, 4]. */
export interface RangeNode extends OperationNode {
  readonly kind: 'RangeNode';
  readonly begin: number;
  readonly end: number;
}

export const RangeNode = freeze({
  create(begin: number, end: number, position: SourcePosition): RangeNode {
    return freeze({ kind: 'RangeNode', begin, end, position });
  },
});
