import { BinaryOpNode, type ArithmeticOperator } from '../ast/binary-op-node';
import { CaseNode, type WhenClause } from '../ast/case-node';
import { ComparisonNode, type ComparisonOperator } from '../ast/comparison-node';
import type { ExpressionNode } from '../ast/expression-node';
import { FunctionCallNode } from '../ast/function-call-node';
import { InNode } from '../ast/in-node';
import { ListNode } from '../ast/list-node';
import { LiteralNode } from '../ast/literal-node';
import { LogicalNode } from '../ast/logical-node';
import { NotNode } from '../ast/not-node';
import type { SourcePosition } from '../ast/operation-node';
import { RangeNode } from '../ast/range-node';
import { ReferenceNode } from '../ast/reference-node';
import { UnaryOpNode } from '../ast/unary-op-node';
import { RuleSqlError } from '../errors';
import { isErlangNumber, negateNumber, numberFromText } from '../numbers/erlang-number';
import { parsePathSegments } from './path-parser';
import type { Token } from './token';
import type { TokenCursor } from './token-cursor';

// why: random or hostile SQL must fail with a syntax error, not exhaust the stack
const MAX_DEPTH = 256;

/**
 * Expressions by precedence, lowest first: OR, AND, NOT, comparison / IN, + -, * / div mod, unary.
 * This is rulesql's precedence table; SELECT fields may use the full grammar, which is a superset.
 */
export class ExpressionParser {
  private depth = 0;

  constructor(private readonly cursor: TokenCursor) {}

  parseExpression(): ExpressionNode {
    if (++this.depth > MAX_DEPTH) {
      const token = this.cursor.peek();
      throw new RuleSqlError('expression nested too deeply', token.line, token.column);
    }
    try {
      return this.parseOr();
    } finally {
      this.depth--;
    }
  }

  private parseOr(): ExpressionNode {
    let left = this.parseAnd();
    while (this.cursor.isKeyword('OR')) {
      const position = this.cursor.position(this.cursor.next());
      left = LogicalNode.create('or', left, this.parseAnd(), position);
    }
    return left;
  }

  private parseAnd(): ExpressionNode {
    let left = this.parseNot();
    while (this.cursor.isKeyword('AND')) {
      const position = this.cursor.position(this.cursor.next());
      left = LogicalNode.create('and', left, this.parseNot(), position);
    }
    return left;
  }

  private parseNot(): ExpressionNode {
    if (!this.cursor.isKeyword('NOT')) return this.parseComparison();
    const position = this.cursor.position(this.cursor.next());
    return NotNode.create(
      this.nested(() => this.parseNot()),
      position,
    );
  }

  private parseComparison(): ExpressionNode {
    const left = this.parseAdditive();
    const token = this.cursor.peek();
    if (token.kind === 'comparison') {
      this.cursor.next();
      return ComparisonNode.create(
        token.value as ComparisonOperator,
        left,
        this.parseAdditive(),
        this.cursor.position(token),
      );
    }
    if (this.cursor.isKeyword('IN')) {
      this.cursor.next();
      return InNode.create(left, this.parseParenList(), false, this.cursor.position(token));
    }
    if (this.cursor.isKeyword('NOT') && this.cursor.isKeyword('IN', 1)) {
      this.cursor.next();
      this.cursor.next();
      return InNode.create(left, this.parseParenList(), true, this.cursor.position(token));
    }
    return left;
  }

  private parseAdditive(): ExpressionNode {
    let left = this.parseMultiplicative();
    for (;;) {
      const token = this.cursor.peek();
      if (token.kind !== 'punct' || (token.value !== '+' && token.value !== '-')) return left;
      this.cursor.next();
      left = BinaryOpNode.create(token.value, left, this.parseMultiplicative(), this.cursor.position(token));
    }
  }

  private parseMultiplicative(): ExpressionNode {
    let left = this.parseUnary();
    for (;;) {
      const token = this.cursor.peek();
      const op = this.multiplicativeOperator(token);
      if (!op) return left;
      this.cursor.next();
      left = BinaryOpNode.create(op, left, this.parseUnary(), this.cursor.position(token));
    }
  }

  /** `div` and `mod` are words: they are operators only where an operand follows, else an alias. */
  private multiplicativeOperator(token: Token): ArithmeticOperator | undefined {
    if (token.kind === 'punct' && (token.value === '*' || token.value === '/')) return token.value;
    if (token.kind !== 'name') return undefined;
    const word = token.value.toLowerCase();
    if ((word === 'div' || word === 'mod') && startsOperand(this.cursor.peek(1))) return word;
    return undefined;
  }

  private parseUnary(): ExpressionNode {
    const token = this.cursor.peek();
    if (token.kind === 'punct' && (token.value === '-' || token.value === '+')) {
      this.cursor.next();
      const operand = this.nested(() => this.parseUnary());
      if (operand.kind === 'LiteralNode' && isErlangNumber(operand.value)) {
        return LiteralNode.create(
          token.value === '-' ? negateNumber(operand.value) : operand.value,
          this.cursor.position(token),
        );
      }
      return UnaryOpNode.create(token.value, operand, this.cursor.position(token));
    }
    return this.parsePrimary();
  }

  private parsePrimary(): ExpressionNode {
    const token = this.cursor.peek();
    const position = this.cursor.position(token);
    switch (token.kind) {
      case 'string':
        this.cursor.next();
        return LiteralNode.create(token.value, position);
      case 'integer':
      case 'float':
        this.cursor.next();
        return LiteralNode.create(numberFromText(token.value), position);
      case 'range': {
        this.cursor.next();
        const [begin, end] = token.range as readonly [number, number];
        return RangeNode.create(begin, end, position);
      }
      case 'name':
        return this.parseNameExpression(token);
      case 'quoted-name':
        this.cursor.next();
        return ReferenceNode.create(token.value, parsePathSegments(this.cursor, true), position);
      case 'punct':
        if (token.value === '(') {
          this.cursor.next();
          const inner = this.parseExpression();
          this.cursor.expectPunct(')');
          return inner;
        }
        if (token.value === '[') return this.parseList();
        break;
      case 'keyword':
        if (token.value === 'CASE') return this.parseCase();
        break;
      case 'comparison':
      case 'eof':
        break;
    }
    throw this.cursor.unexpected('an expression');
  }

  private parseNameExpression(token: Token): ExpressionNode {
    const position = this.cursor.position(token);
    this.cursor.next();
    if (this.cursor.isPunct('(')) return this.parseCall(token.value, position);
    const path = parsePathSegments(this.cursor, true);
    // `module.function(...)`: EMQX's plugin function providers; parsed so the compiler can name it
    if (this.cursor.isPunct('(') && path.length > 0 && path.every((step) => step.type === 'key')) {
      const name = [token.value, ...path.map((step) => (step.type === 'key' ? step.key : ''))].join('.');
      return this.parseCall(name, position);
    }
    // like rulesql, only lower-case true and false are booleans; TRUE is a column name
    if (path.length === 0 && (token.value === 'true' || token.value === 'false')) {
      return LiteralNode.create(token.value === 'true', position);
    }
    return ReferenceNode.create(token.value, path, position);
  }

  private parseCall(name: string, position: SourcePosition): ExpressionNode {
    this.cursor.expectPunct('(');
    const args: ExpressionNode[] = [];
    if (!this.cursor.acceptPunct(')')) {
      do args.push(this.parseExpression());
      while (this.cursor.acceptPunct(','));
      this.cursor.expectPunct(')', "',' or ')'");
    }
    return FunctionCallNode.create(name, args, position);
  }

  private parseList(): ExpressionNode {
    const position = this.cursor.position(this.cursor.next());
    const elements: ExpressionNode[] = [];
    if (!this.cursor.acceptPunct(']')) {
      do elements.push(this.parseExpression());
      while (this.cursor.acceptPunct(','));
      this.cursor.expectPunct(']', "',' or ']'");
    }
    return ListNode.create(elements, position);
  }

  private parseParenList(): ExpressionNode[] {
    this.cursor.expectPunct('(');
    const items: ExpressionNode[] = [];
    do items.push(this.parseExpression());
    while (this.cursor.acceptPunct(','));
    this.cursor.expectPunct(')', "',' or ')'");
    return items;
  }

  private parseCase(): ExpressionNode {
    const position = this.cursor.position(this.cursor.next());
    const subject = this.cursor.isKeyword('WHEN') ? undefined : this.parseExpression();
    const whens: WhenClause[] = [];
    while (this.cursor.acceptKeyword('WHEN')) {
      const condition = this.parseExpression();
      this.cursor.expectKeyword('THEN');
      whens.push({ condition, result: this.parseExpression() });
    }
    if (whens.length === 0) throw this.cursor.unexpected('WHEN');
    const otherwise = this.cursor.acceptKeyword('ELSE') ? this.parseExpression() : undefined;
    this.cursor.expectKeyword('END', otherwise ? 'END' : 'WHEN, ELSE or END');
    return CaseNode.create(subject, whens, otherwise, position);
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_DEPTH) {
      const token = this.cursor.peek();
      throw new RuleSqlError('expression nested too deeply', token.line, token.column);
    }
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }
}

function startsOperand(token: Token): boolean {
  switch (token.kind) {
    case 'name':
    case 'quoted-name':
    case 'string':
    case 'integer':
    case 'float':
    case 'range':
      return true;
    case 'punct':
      return token.value === '(' || token.value === '[' || token.value === '-' || token.value === '+';
    case 'keyword':
      return token.value === 'CASE';
    case 'comparison':
    case 'eof':
      return false;
  }
}
