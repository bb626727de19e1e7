import type { ExpressionNode } from '../ast/expression-node';
import { ForeachNode } from '../ast/foreach-node';
import { SelectFieldNode, type AliasTarget, type FieldNode } from '../ast/select-field-node';
import { SelectNode } from '../ast/select-node';
import { StarNode } from '../ast/star-node';
import type { StatementNode } from '../ast/statement-node';
import { TopicNode } from '../ast/topic-node';
import { RuleSqlError } from '../errors';
import { ExpressionParser } from './expression-parser';
import { tokenize } from './lexer';
import { checkExpressionHeight, checkSqlLength } from './limits';
import { parsePathSegments } from './path-parser';
import { TokenCursor } from './token-cursor';

/**
 * Parses one EMQX rule statement into a frozen syntax tree. Throws `RuleSqlError` (with line and
 * column) and nothing else.
 */
export function parseRule(sql: string): StatementNode {
  checkSqlLength(sql);
  const cursor = new TokenCursor(tokenize(sql));
  const expressions = new ExpressionParser(cursor);
  const statement = parseStatement(cursor, expressions);
  if (cursor.peek().kind !== 'eof')
    throw cursor.unexpected(statement.where ? 'end of input' : 'WHERE or end of input');
  checkExpressionHeight(statement);
  return statement;
}

function parseStatement(cursor: TokenCursor, expressions: ExpressionParser): StatementNode {
  const position = cursor.position();
  if (cursor.acceptKeyword('SELECT')) {
    const fields = parseFields(cursor, expressions, 'FROM');
    cursor.expectKeyword('FROM');
    const from = parseTopics(cursor);
    const where = cursor.acceptKeyword('WHERE') ? expressions.parseExpression() : undefined;
    return SelectNode.create({ fields, from, where, position });
  }
  if (cursor.acceptKeyword('FOREACH')) {
    const fields = parseFields(cursor, expressions, 'DO, INCASE or FROM');
    const doFields = cursor.acceptKeyword('DO') ? parseFields(cursor, expressions, 'INCASE or FROM') : [];
    const incase = cursor.acceptKeyword('INCASE') ? expressions.parseExpression() : undefined;
    cursor.expectKeyword('FROM', incase || doFields.length ? 'FROM' : 'DO, INCASE or FROM');
    const from = parseTopics(cursor);
    const where = cursor.acceptKeyword('WHERE') ? expressions.parseExpression() : undefined;
    return ForeachNode.create({ fields, doFields, incase, from, where, position });
  }
  throw cursor.unexpected('SELECT or FOREACH');
}

function parseFields(cursor: TokenCursor, expressions: ExpressionParser, follows: string): FieldNode[] {
  const fields: FieldNode[] = [];
  do {
    const position = cursor.position();
    if (cursor.acceptPunct('*')) {
      fields.push(StarNode.create(position));
      continue;
    }
    const expression: ExpressionNode = expressions.parseExpression();
    fields.push(SelectFieldNode.create(expression, parseAlias(cursor), position));
  } while (cursor.acceptPunct(','));
  const next = cursor.peek();
  if (next.kind !== 'keyword') throw cursor.unexpected(follows);
  return fields;
}

/** `AS target` or, as rulesql allows, a bare target right after the expression. */
function parseAlias(cursor: TokenCursor): AliasTarget | undefined {
  const explicit = cursor.acceptKeyword('AS');
  const token = cursor.peek();
  if (token.kind === 'name' || token.kind === 'quoted-name') {
    cursor.next();
    return { root: token.value, path: parsePathSegments(cursor, false) };
  }
  if (explicit) throw cursor.unexpected('an alias name');
  return undefined;
}

function parseTopics(cursor: TokenCursor): TopicNode[] {
  const topics: TopicNode[] = [];
  do {
    const token = cursor.peek();
    // EMQX writes topics in double quotes; single quotes are accepted too, and so is a bare name
    // (rulesql's from_column is a NAME: FROM t), but not a bare path, which rulesql cannot lex or parse
    if (token.kind !== 'quoted-name' && token.kind !== 'string' && token.kind !== 'name')
      throw cursor.unexpected('a quoted topic filter');
    cursor.next();
    if (token.kind === 'name' && cursor.peek().kind === 'punct' && cursor.peek().value === '/') {
      const { line, column } = cursor.position(token);
      throw new RuleSqlError(
        `a topic filter with '/' must be quoted, as in EMQX: FROM "${token.value}/..."`,
        line,
        column,
      );
    }
    topics.push(TopicNode.create(token.value, cursor.position(token)));
  } while (cursor.acceptPunct(','));
  return topics;
}
