import type { ExpressionNode } from './expression-node';
import { freeze, type OperationNode } from './operation-node';
import type { FieldNode } from './select-field-node';
import type { TopicNode } from './topic-node';

/** `SELECT fields FROM topics [WHERE condition]`. */
export interface SelectNode extends OperationNode {
  readonly kind: 'SelectNode';
  readonly fields: readonly FieldNode[];
  readonly from: readonly TopicNode[];
  readonly where: ExpressionNode | undefined;
}

export const SelectNode = freeze({
  create(parts: Omit<SelectNode, 'kind'>): SelectNode {
    return freeze({
      kind: 'SelectNode',
      ...parts,
      fields: freeze([...parts.fields]),
      from: freeze([...parts.from]),
    });
  },
});
