import type { ExpressionNode } from './expression-node';
import { freeze, type OperationNode } from './operation-node';
import type { FieldNode } from './select-field-node';
import type { TopicNode } from './topic-node';

/** `FOREACH fields [DO fields] [INCASE condition] FROM topics [WHERE condition]`. */
export interface ForeachNode extends OperationNode {
  readonly kind: 'ForeachNode';
  readonly fields: readonly FieldNode[];
  readonly doFields: readonly FieldNode[];
  readonly incase: ExpressionNode | undefined;
  readonly from: readonly TopicNode[];
  readonly where: ExpressionNode | undefined;
}

export const ForeachNode = freeze({
  create(parts: Omit<ForeachNode, 'kind'>): ForeachNode {
    return freeze({
      kind: 'ForeachNode',
      ...parts,
      fields: freeze([...parts.fields]),
      doFields: freeze([...parts.doFields]),
      from: freeze([...parts.from]),
    });
  },
});
