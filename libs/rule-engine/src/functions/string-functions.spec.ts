import { Buffer } from 'node:buffer';
import { RuleRuntimeError } from '../errors';
import { builtinFunctions } from './registry';

const call = (name: string, ...args: unknown[]): unknown => builtinFunctions.get(name)!.call(args);

describe('case, trim, reverse, strlen', () => {
  it('change case', () => {
    expect(call('upper', 'abc4')).toBe('ABC4');
    expect(call('lower', '0ABC')).toBe('0abc');
    expect(call('upper', true)).toBe('TRUE');
  });

  it('trim Erlang whitespace, with CR LF as one character', () => {
    expect(call('trim', '\t  hello  \n')).toBe('hello');
    expect(call('trim', '\t  hello \r\n')).toBe('hello');
    expect(call('ltrim', '\t  hello  \n')).toBe('hello  \n');
    expect(call('rtrim', '\t  hello  \n')).toBe('\t  hello');
    expect(call('rtrim', '\t  hello \r\n')).toBe('\t  hello');
    expect(call('trim', '')).toBe('');
    // why: NBSP is not Erlang whitespace, though JS trim() removes it
    expect(call('trim', '\u00a0x\u00a0')).toBe('\u00a0x\u00a0');
  });

  it('rtrim with characters', () => {
    expect(call('rtrim', 'atom', 'm')).toBe('ato');
    expect(call('rtrim', 'abcxyx', 'xy')).toBe('abc');
  });

  it('rm_prefix', () => {
    expect(call('rm_prefix', 'foo/bar', 'foo/')).toBe('bar');
    expect(call('rm_prefix', 'foo/bar', 'xxx/')).toBe('foo/bar');
  });

  it('reverse and strlen work on graphemes', () => {
    expect(call('reverse', 'abcd')).toBe('dcba');
    expect(call('reverse', '你好')).toBe('好你');
    expect(call('reverse', 'ae\u0301')).toBe('e\u0301a');
    expect(call('strlen', 'abcd')).toBe(4);
    expect(call('strlen', '你好')).toBe(2);
    expect(call('strlen', 'hello\n')).toBe(6);
    expect(call('strlen', 'hi\r\n')).toBe(3);
    expect(call('strlen', '👋🏽')).toBe(1);
  });

  it('fail on null, undefined, numbers and non-UTF-8 binaries', () => {
    for (const fn of ['lower', 'upper', 'trim', 'ltrim', 'rtrim', 'reverse', 'strlen']) {
      expect(() => call(fn, undefined), fn).toThrow(RuleRuntimeError);
      expect(() => call(fn, null), fn).toThrow(RuleRuntimeError);
      expect(() => call(fn, 12), fn).toThrow(RuleRuntimeError);
    }
    expect(() => call('upper', Buffer.from([0xff]))).toThrow(RuleRuntimeError);
  });
});

describe('substr', () => {
  it('is 0-based and counts graphemes', () => {
    expect(call('substr', 'hello', 0)).toBe('hello');
    expect(call('substr', 'hello world', 6)).toBe('world');
    expect(call('substr', 'hello world!', 6, 5)).toBe('world');
    expect(call('substr', 'abc', 1)).toBe('bc');
    expect(call('substr', 'abcd', 1, 2)).toBe('bc');
    expect(call('substr', '', 1)).toBe('');
    expect(call('substr', '你好吗', 1, 1)).toBe('好');
    expect(call('substr', 'abc', 10)).toBe('');
  });

  it('rejects negative positions and lengths', () => {
    expect(() => call('substr', 'abc', -1)).toThrow(RuleRuntimeError);
    expect(() => call('substr', 'abc', 0, -1)).toThrow(RuleRuntimeError);
    expect(() => call('substr', 'abc', '1')).toThrow(RuleRuntimeError);
  });
});

describe('pad', () => {
  it('pads with spaces to a length', () => {
    expect(call('pad', 'hello', 8)).toBe('hello   ');
    expect(call('pad', 'abc', 0)).toBe('abc');
    expect(call('pad', 'hello', 8, 'leading')).toBe('   hello');
    expect(call('pad', 'hello', 8, 'trailing')).toBe('hello   ');
    expect(call('pad', 'hello', 8, 'both')).toBe(' hello  ');
    expect(call('pad', 'abc', 5, 'both')).toBe(' abc ');
  });

  it('repeats a pad string as one character', () => {
    expect(call('pad', 'hello', 8, 'trailing', '!')).toBe('hello!!!');
    expect(call('pad', 'hello', 8, 'trailing', '\r\n')).toBe('hello\r\n\r\n\r\n');
    expect(call('pad', 'hello', 8, 'trailing', 'abc')).toBe('helloabcabcabc');
    expect(call('pad', 'abc', 5, 'both', 'ex')).toBe('exabcex');
    expect(call('pad', 'abc', 5, 'leading', 'ex')).toBe('exexabc');
  });

  it('rejects an unknown direction and lengths beyond a million characters', () => {
    expect(() => call('pad', 'abc', 5, 'middle')).toThrow(RuleRuntimeError);
    expect((call('pad', '', 1_000_000) as string).length).toBe(1_000_000);
    expect(() => call('pad', '', 1_000_001)).toThrow(/too large/);
    expect(() => call('pad', 'a', 10n ** 300n)).toThrow(/too large/);
    // 1e300 is a float, and EMQX's pad takes an integer length
    expect(() => call('pad', 'a', 1e300)).toThrow(/must be an integer/);
  });
});

describe('split', () => {
  it('drops empty parts by default', () => {
    expect(call('split', '', '/')).toEqual([]);
    expect(call('split', '/', '/')).toEqual([]);
    expect(call('split', '/a/b//c/', '/')).toEqual(['a', 'b', 'c']);
    expect(call('split', 'a, b ,c', ',')).toEqual(['a', ' b ', 'c']);
    expect(call('split', 'a,b,c\r\n', ',')).toEqual(['a', 'b', 'c\r\n']);
    expect(call('split', 'Sienna Blake; Howell Wise', '; ')).toEqual(['Sienna Blake', 'Howell Wise']);
  });

  it('supports notrim, leading and trailing', () => {
    expect(call('split', '', '/', 'notrim')).toEqual(['']);
    expect(call('split', '/a/b//c/', '/', 'notrim')).toEqual(['', 'a', 'b', '', 'c', '']);
    expect(call('split', 'a;;b;;c', ';', 'notrim')).toEqual(['a', '', 'b', '', 'c']);
    expect(call('split', '/a/b/c', '/', 'leading')).toEqual(['a/b/c']);
    expect(call('split', 'a/b//c/', '/', 'leading')).toEqual(['a', 'b//c/']);
    expect(call('split', '/a/b/c', '/', 'leading_notrim')).toEqual(['', 'a/b/c']);
    expect(call('split', '/a/b/c', '/', 'trailing')).toEqual(['/a/b', 'c']);
    expect(call('split', 'a/b//c/', '/', 'trailing')).toEqual(['a/b//c']);
    expect(call('split', 'a/b//c/', '/', 'trailing_notrim')).toEqual(['a/b//c', '']);
    expect(call('split', '哈哈, 你好, 是的\r\n', ',', 'trailing')).toEqual(['哈哈, 你好', ' 是的\r\n']);
  });

  it('rejects an unknown option and a missing string', () => {
    expect(() => call('split', 'a', ',', 'middle')).toThrow(RuleRuntimeError);
    expect(() => call('split', undefined, ',')).toThrow(RuleRuntimeError);
  });
});

describe('tokens', () => {
  it('splits on any separator character and drops empty parts', () => {
    expect(call('tokens', '', '/')).toEqual([]);
    expect(call('tokens', '/a/b//c/', '/')).toEqual(['a', 'b', 'c']);
    expect(call('tokens', ' /a/ b /c', ' /')).toEqual(['a', 'b', 'c']);
    expect(call('tokens', 'a ,\nb,c\n', ', ')).toEqual(['a', '\nb', 'c\n']);
    expect(call('tokens', 'a ,b,c\r\n', ', ')).toEqual(['a', 'b', 'c\r\n']);
    expect(call('tokens', 'a,b;c,d', ',;')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('nocrlf also splits on CR, LF and CR LF', () => {
    expect(call('tokens', 'a,b, c\n', ', ', 'nocrlf')).toEqual(['a', 'b', 'c']);
    expect(call('tokens', 'a,b\r\n,c\n', ',', 'nocrlf')).toEqual(['a', 'b', 'c']);
    expect(call('tokens', '\r\n', ',', 'nocrlf')).toEqual([]);
    expect(call('tokens', 'a\rb\nc\r\nd', ';', 'nocrlf')).toEqual(['a', 'b', 'c', 'd']);
    expect(call('tokens', '哈哈, 你好, 是的\r\n', ', ', 'nocrlf')).toEqual(['哈哈', '你好', '是的']);
  });

  it('without nocrlf a CR LF pair is not split by LF alone', () => {
    expect(call('tokens', 'a\r\nb', '\n')).toEqual(['a\r\nb']);
  });
});

describe('replace, find, ascii, concat', () => {
  it('replace all, leading or trailing occurrences', () => {
    expect(call('replace', 'ab c  ', ' ', '-')).toBe('ab-c--');
    expect(call('replace', 'ab c  ', ' ', '::')).toBe('ab::c::::');
    expect(call('replace', 'ab..cd..ef', '..', '')).toBe('abcdef');
    expect(call('replace', 'ab..cd..ef', '..', '**', 'all')).toBe('ab**cd**ef');
    expect(call('replace', 'ab..cd..ef', '..', '**', 'leading')).toBe('ab**cd..ef');
    expect(call('replace', 'ab..cd..ef', '..', '**', 'trailing')).toBe('ab..cd**ef');
    expect(() => call('replace', 'a', 'a', 'b', 'first')).toThrow(RuleRuntimeError);
  });

  it('find returns the rest from the match, or an empty string', () => {
    expect(call('find', 'acbcd', 'c')).toBe('cbcd');
    expect(call('find', 'acbcd', 'c', 'leading')).toBe('cbcd');
    expect(call('find', 'acbcd', 'c', 'trailing')).toBe('cd');
    expect(call('find', 'acbcd', 'e')).toBe('');
    expect(call('find', '', 'c')).toBe('');
    expect(call('find', '', '')).toBe('');
    expect(call('find', 'Front, Middle, End', ', ', 'trailing')).toBe(', End');
    expect(() => call('find', 'abc', 'b', 'middle')).toThrow(RuleRuntimeError);
  });

  it('ascii gives the first byte', () => {
    expect(call('ascii', 'a')).toBe(97);
    expect(call('ascii', 'abc')).toBe(97);
    expect(() => call('ascii', '')).toThrow(RuleRuntimeError);
  });

  it('concat converts its arguments to strings', () => {
    expect(call('concat', 'Name:', 'John')).toBe('Name:John');
    expect(call('concat', '哈哈', '你好')).toBe('哈哈你好');
    expect(call('concat', '', '')).toBe('');
    expect(call('concat', 'a', 1)).toBe('a1');
    expect(call('concat', 'v=', 1.5)).toBe('v=1.5');
    expect(call('concat', 'x', undefined)).toBe('xundefined');
    expect(call('concat', ['a', 'b', { c: 1 }])).toBe('ab{"c":1}');
    expect(() => call('concat', 'a')).toThrow(RuleRuntimeError);
  });
});

describe('grapheme counting', () => {
  it('agrees with Intl.Segmenter on mixed scripts, emoji and combining marks', () => {
    const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
    const samples = [
      'héllo wörld',
      'Привет',
      'こんにちは世界',
      '한국어',
      'e\u0301',
      'a\r\nb',
      '👋🏽 hi',
      '🇫🇷',
      'नमस्ते',
      'مرحبا',
      '\u3099か',
    ];
    for (const sample of samples) {
      expect(call('strlen', sample), sample).toBe(Array.from(segmenter.segment(sample)).length);
    }
  });
});
