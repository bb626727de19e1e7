import type { SourcePosition } from '../ast/operation-node';
import { RuleSqlError } from '../errors';
import { describeToken, type Token } from './token';

/** A read position over the token list, with the helpers that build "unexpected X, expected Y". */
export class TokenCursor {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  peek(offset = 0): Token {
    const last = this.tokens.length - 1;
    return this.tokens[Math.min(this.index + offset, last)] as Token;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.index++;
    return token;
  }

  position(token = this.peek()): SourcePosition {
    return { line: token.line, column: token.column };
  }

  isKeyword(keyword: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'keyword' && token.value === keyword;
  }

  isPunct(punct: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === 'punct' && token.value === punct;
  }

  acceptKeyword(keyword: string): boolean {
    if (!this.isKeyword(keyword)) return false;
    this.index++;
    return true;
  }

  acceptPunct(punct: string): boolean {
    if (!this.isPunct(punct)) return false;
    this.index++;
    return true;
  }

  expectKeyword(keyword: string, expected: string = keyword): Token {
    if (!this.isKeyword(keyword)) throw this.unexpected(expected);
    return this.next();
  }

  expectPunct(punct: string, expected = `'${punct}'`): Token {
    if (!this.isPunct(punct)) throw this.unexpected(expected);
    return this.next();
  }

  unexpected(expected: string, token = this.peek()): RuleSqlError {
    return new RuleSqlError(
      `unexpected ${describeToken(token)}, expected ${expected}`,
      token.line,
      token.column,
    );
  }
}
