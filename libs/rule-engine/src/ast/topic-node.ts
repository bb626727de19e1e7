import { freeze, type OperationNode, type SourcePosition } from './operation-node';

/** One quoted topic filter of FROM, with its position for compile errors. */
export interface TopicNode extends OperationNode {
  readonly kind: 'TopicNode';
  readonly filter: string;
}

export const TopicNode = freeze({
  create(filter: string, position: SourcePosition): TopicNode {
    return freeze({ kind: 'TopicNode', filter, position });
  },
});
