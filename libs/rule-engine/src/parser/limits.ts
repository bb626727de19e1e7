import type { ExpressionNode } from '../ast/expression-node';
import type { StatementNode } from '../ast/statement-node';
import { RuleSqlError } from '../errors';

/**
 * The largest rule SQL accepted, in characters. Compiling is linear in the size (a 10,000-field
 * SELECT of ~230,000 characters compiles in well under a second), so this only bounds the work one
 * request can ask for.
 */
export const MAX_SQL_LENGTH = 256 * 1024;

/**
 * The deepest expression tree accepted. The parser bounds bracket nesting on its own, but a long
 * chain such as `a + a + ... + a` is parsed by a loop into a tree as deep as the chain, and the
 * compiler and the compiled closures walk that tree recursively.
 */
export const MAX_EXPRESSION_HEIGHT = 1000;

export function checkSqlLength(sql: string): void {
  if (sql.length > MAX_SQL_LENGTH) {
    throw new RuleSqlError(
      `rule SQL is ${sql.length} characters long, more than the ${MAX_SQL_LENGTH} allowed`,
      1,
      1,
    );
  }
}

function children(node: ExpressionNode): readonly ExpressionNode[] {
  switch (node.kind) {
    case 'LiteralNode':
    case 'ReferenceNode':
    case 'RangeNode':
      return [];
    case 'ListNode':
      return node.elements;
    case 'UnaryOpNode':
    case 'NotNode':
      return [node.operand];
    case 'BinaryOpNode':
    case 'ComparisonNode':
    case 'LogicalNode':
      return [node.left, node.right];
    case 'InNode':
      return [node.operand, ...node.list];
    case 'FunctionCallNode':
      return node.args;
    case 'CaseNode': {
      const out: ExpressionNode[] = node.subject ? [node.subject] : [];
      for (const w of node.whens) out.push(w.condition, w.result);
      if (node.otherwise) out.push(node.otherwise);
      return out;
    }
  }
}

/** Throws a `RuleSqlError` at the first node deeper than MAX_EXPRESSION_HEIGHT (iterative: no recursion). */
export function checkExpressionHeight(statement: StatementNode): void {
  const roots: ExpressionNode[] = [];
  const fields =
    statement.kind === 'ForeachNode' ? [...statement.fields, ...statement.doFields] : statement.fields;
  for (const field of fields) if (field.kind === 'SelectFieldNode') roots.push(field.expression);
  if (statement.where) roots.push(statement.where);
  if (statement.kind === 'ForeachNode' && statement.incase) roots.push(statement.incase);
  const stack: Array<[ExpressionNode, number]> = roots.map((root) => [root, 1]);
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, height] = next;
    if (height > MAX_EXPRESSION_HEIGHT) {
      const { line, column } = node.position;
      throw new RuleSqlError(
        `expression nested too deeply (more than ${MAX_EXPRESSION_HEIGHT} operators inside one another)`,
        line,
        column,
      );
    }
    for (const child of children(node)) stack.push([child, height + 1]);
  }
}
