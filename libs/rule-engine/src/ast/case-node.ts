import type { ExpressionNode } from './expression-node';
import { freeze, type OperationNode, type SourcePosition } from './operation-node';

export interface WhenClause {
  readonly condition: ExpressionNode;
  readonly result: ExpressionNode;
}

/**
 * `CASE WHEN c THEN r ... [ELSE e] END`, or with a subject, `CASE s WHEN v THEN r ... END`
 * (exact match of s and v). No match and no ELSE gives undefined.
 */
export interface CaseNode extends OperationNode {
  readonly kind: 'CaseNode';
  readonly subject: ExpressionNode | undefined;
  readonly whens: readonly WhenClause[];
  readonly otherwise: ExpressionNode | undefined;
}

export const CaseNode = freeze({
  create(
    subject: ExpressionNode | undefined,
    whens: readonly WhenClause[],
    otherwise: ExpressionNode | undefined,
    position: SourcePosition,
  ): CaseNode {
    return freeze({
      kind: 'CaseNode',
      subject,
      whens: freeze(whens.map((w) => freeze(w))),
      otherwise,
      position,
    });
  },
});
