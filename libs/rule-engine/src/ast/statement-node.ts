import type { ExpressionNode } from './expression-node';
import { freeze, type OperationNode, type SourcePosition } from './operation-node';
import type { FieldNode } from './select-field-node';

/** One quoted topic filter of FROM, with its position for compile errors. */
export interface TopicNode extends OperationNode {
  readonly kind: 'TopicNode';
  readonly filter: string;
}

/** `SELECT fields FROM topics [WHERE condition]`. */
export interface SelectNode extends OperationNode {
  readonly kind: 'SelectNode';
  readonly fields: readonly FieldNode[];
  readonly from: readonly TopicNode[];
  readonly where: ExpressionNode | undefined;
}

/** `FOREACH fields [DO fields] [INCASE condition] FROM topics [WHERE condition]`. */
export interface ForeachNode extends OperationNode {
  readonly kind: 'ForeachNode';
  readonly fields: readonly FieldNode[];
  readonly doFields: readonly FieldNode[];
  readonly incase: ExpressionNode | undefined;
  readonly from: readonly TopicNode[];
  readonly where: ExpressionNode | undefined;
}

export type StatementNode = SelectNode | ForeachNode;

export const TopicNode = freeze({
  create(filter: string, position: SourcePosition): TopicNode {
    return freeze({ kind: 'TopicNode', filter, position });
  },
});

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
