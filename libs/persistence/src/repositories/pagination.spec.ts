import { decodeCursor, encodeCursor } from './pagination';
import { InvalidCursorError } from '../errors';

describe('pagination cursors', () => {
  it('round-trips createdAt (to the millisecond) and id', () => {
    const row = { createdAt: new Date('2026-11-22T01:02:03.456Z'), id: 'a2c9…' };
    expect(decodeCursor(encodeCursor(row))).toEqual(row);
  });

  it('is opaque url-safe text', () => {
    expect(encodeCursor({ createdAt: new Date(0), id: 'x' })).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    ['not base64 JSON', '!!!'],
    ['a JSON object', Buffer.from('{"a":1}').toString('base64url')],
    ['a bad date', Buffer.from('["soon","x"]').toString('base64url')],
    ['a numeric id', Buffer.from('["2026-01-01T00:00:00.000Z",1]').toString('base64url')],
    ['three parts', Buffer.from('["2026-01-01T00:00:00.000Z","x","y"]').toString('base64url')],
  ])('refuses %s', (_, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(InvalidCursorError);
  });
});
