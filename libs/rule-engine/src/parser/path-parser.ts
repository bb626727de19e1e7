import { ReferenceNode, type PathSegment } from '../ast/reference-node';
import { RuleSqlError } from '../errors';
import type { TokenCursor } from './token-cursor';

/**
 * The steps after a root name: `.key`, `.'quoted key'`, `."key"`, `.1` (a key named "1"), `[n]`,
 * `[-n]`, `[var.path]`, and, when `allowRange`, a final `[a..b]`.
 */
export function parsePathSegments(cursor: TokenCursor, allowRange: boolean, depth = 0): PathSegment[] {
  if (depth > 32) {
    const token = cursor.peek();
    throw new RuleSqlError('index nested too deeply', token.line, token.column);
  }
  const path: PathSegment[] = [];
  for (;;) {
    if (cursor.acceptPunct('.')) {
      const token = cursor.peek();
      if (
        token.kind === 'name' ||
        token.kind === 'quoted-name' ||
        token.kind === 'string' ||
        token.kind === 'integer' ||
        token.kind === 'keyword'
      ) {
        cursor.next();
        // a keyword after '.' is a key; keep it as written, not upper-cased
        path.push({ type: 'key', key: token.kind === 'keyword' ? token.text : token.value });
        continue;
      }
      throw cursor.unexpected('a field name after "."');
    }
    if (cursor.isPunct('[')) {
      cursor.next();
      path.push(parseIndex(cursor, depth));
      cursor.expectPunct(']');
      continue;
    }
    const token = cursor.peek();
    if (allowRange && token.kind === 'range') {
      cursor.next();
      const [begin, end] = token.range as readonly [number, number];
      path.push({ type: 'range', begin, end });
    }
    return path;
  }
}

function parseIndex(cursor: TokenCursor, depth: number): PathSegment {
  let sign = 1;
  if (cursor.isPunct('-') || cursor.isPunct('+')) sign = cursor.next().value === '-' ? -1 : 1;
  const token = cursor.peek();
  if (token.kind === 'integer') {
    cursor.next();
    // -0 is kept: EMQX reads [0] as "head" and [-0] as "tail" when it writes into a list
    return { type: 'index', index: sign * Number(token.value) };
  }
  if (sign === 1 && (token.kind === 'name' || token.kind === 'quoted-name')) {
    cursor.next();
    const path = parsePathSegments(cursor, false, depth + 1);
    return { type: 'index-ref', ref: ReferenceNode.create(token.value, path, cursor.position(token)) };
  }
  throw cursor.unexpected('an index');
}
