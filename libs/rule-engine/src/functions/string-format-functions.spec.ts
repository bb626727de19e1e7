import { RuleRuntimeError } from '../errors';
import { builtinFunctions } from './registry';

const call = (name: string, ...args: unknown[]): unknown => builtinFunctions.get(name)!.call(args);

describe('sprintf', () => {
  it('formats the EMQX examples', () => {
    expect(call('sprintf', 'Hello ~ts!', 'Shawn')).toBe('Hello Shawn!');
    expect(call('sprintf', 'Name: ~ts, Count: ~p', 'ABC', 2)).toBe('Name: ABC, Count: 2');
    expect(call('sprintf', 'hello, ~s!', 'steve')).toBe('hello, steve!');
    expect(call('sprintf', 'count: ~p~n', 100)).toBe('count: 100\n');
    expect(call('sprintf', '100~~')).toBe('100~');
  });

  it('prints rule values as the Erlang terms EMQX holds with ~p and ~w', () => {
    expect(call('sprintf', '~p', 'abc')).toBe('<<"abc">>');
    expect(call('sprintf', '~p', [1, 2, 3])).toBe('[1,2,3]');
    expect(call('sprintf', '~p', { a: 1 })).toBe('#{<<"a">> => 1}');
    expect(call('sprintf', '~w', { a: 1 })).toBe('#{<<"a">>=>1}');
    expect(call('sprintf', '~p ~p ~p', true, undefined, null)).toBe('true undefined null');
    expect(call('sprintf', '~p', 1.5)).toBe('1.5');
    expect(call('sprintf', '~p', [104, 105])).toBe('"hi"');
    expect(call('sprintf', '~w', [104, 105])).toBe('[104,105]');
    expect(call('sprintf', '~tp', '你好')).toBe('<<"你好"/utf8>>');
  });

  it('handles width, precision, padding and numeric controls', () => {
    expect(call('sprintf', '[~5s]', 'ab')).toBe('[   ab]');
    expect(call('sprintf', '[~-5s]', 'ab')).toBe('[ab   ]');
    expect(call('sprintf', '[~5..0B]', 42)).toBe('[00042]');
    expect(call('sprintf', '~.2f', 3.14159)).toBe('3.14');
    expect(call('sprintf', '~f', 1.5)).toBe('1.500000');
    expect(call('sprintf', '~.16B', 255)).toBe('FF');
    expect(call('sprintf', '~.16b', 255)).toBe('ff');
    expect(call('sprintf', '~.2B', 5)).toBe('101');
    expect(call('sprintf', '~.16#', 255)).toBe('16#FF');
    expect(call('sprintf', '~c~c', 104, 105)).toBe('hi');
    expect(call('sprintf', '~.3e', 1234.5)).toBe('1.23e+3');
    expect(call('sprintf', '~g', 2.5)).toBe('2.50000');
    expect(call('sprintf', '~g', 123456.0)).toBe('1.23456e+5');
    expect(call('sprintf', 'a~ib', 'ignored')).toBe('ab');
  });

  it('fails on wrong argument counts, types and unknown controls', () => {
    expect(() => call('sprintf', '~s ~s', 'a')).toThrow(/too few/);
    expect(() => call('sprintf', '~s', 'a', 'b')).toThrow(/too many/);
    expect(() => call('sprintf', '~s', 1)).toThrow(RuleRuntimeError);
    expect(() => call('sprintf', '~B', 1.5)).toThrow(RuleRuntimeError);
    expect(() => call('sprintf', '~q', 1)).toThrow(RuleRuntimeError);
    expect(() => call('sprintf', undefined)).toThrow(RuleRuntimeError);
    expect(() => call('sprintf', '~2000000s', 'a')).toThrow(/too large/);
    expect(() => call('sprintf', '~.2000000c', 97)).toThrow(/too large/);
    expect(() => call('sprintf', '~c', -1)).toThrow(/character code/);
  });

  it('sprintf_s takes the arguments as one array', () => {
    expect(call('sprintf_s', '~s-~p', ['a', 1])).toBe('a-1');
    expect(() => call('sprintf_s', '~s', 'a')).toThrow(RuleRuntimeError);
  });
});

describe('join_to_string, join_to_sql_values_string', () => {
  it('join with a separator (", " by default), printing each item like str', () => {
    expect(call('join_to_string', ',', ['a', 'b', 'c'])).toBe('a,b,c');
    expect(call('join_to_string', ', ', ['a', 'b', 'c'])).toBe('a, b, c');
    expect(call('join_to_string', ['a', 'b', 'c'])).toBe('a, b, c');
    expect(call('join_to_string', ', ', [1, 'c', { a: 1 }, [1, 2, 3], true])).toBe(
      '1, c, {"a":1}, [1,2,3], true',
    );
    expect(call('join_to_string', ',', [])).toBe('');
    expect(() => call('join_to_string', ',', 'abc')).toThrow(RuleRuntimeError);
  });

  it('quote SQL values: strings escaped and quoted, numbers bare, undefined NULL', () => {
    expect(call('join_to_sql_values_string', ['a', 'b', 'c'])).toBe("'a', 'b', 'c'");
    expect(call('join_to_sql_values_string', [1, 'c', { a: 1 }, [1, 2, 3], [97, 98]])).toBe(
      `1, 'c', '{"a":1}', '[1,2,3]', '[97,98]'`,
    );
    expect(call('join_to_sql_values_string', ["it's", 'a\\b', undefined, true])).toBe(
      "'it\\'s', 'a\\\\b', NULL, 'true'",
    );
    expect(call('join_to_sql_values_string', [])).toBe('');
  });
});

describe('unescape', () => {
  it('turns C escapes into characters', () => {
    expect(call('unescape', '\\n')).toBe('\n');
    expect(call('unescape', '\\t')).toBe('\t');
    expect(call('unescape', '\\r')).toBe('\r');
    expect(call('unescape', '\\b')).toBe('\b');
    expect(call('unescape', '\\f')).toBe('\f');
    expect(call('unescape', '\\v')).toBe('\v');
    expect(call('unescape', "\\'")).toBe("'");
    expect(call('unescape', '\\"')).toBe('"');
    expect(call('unescape', '\\?')).toBe('?');
    expect(call('unescape', '\\a')).toBe('\x07');
    expect(call('unescape', '\\\\')).toBe('\\');
    expect(call('unescape', 'Hello, World!')).toBe('Hello, World!');
    expect(call('unescape', 'Hello,\\t World\\n!')).toBe('Hello,\t World\n!');
  });

  it('reads \\x with any number of hex digits as a code point', () => {
    expect(call('unescape', '\\x0A')).toBe('\n');
    expect(call('unescape', 'hej\\x0Ahej')).toBe('hej\nhej');
    expect(call('unescape', '\\x41\\x42\\x43')).toBe('ABC');
    expect(call('unescape', '\\xFF')).toBe('\u00ff');
    expect(call('unescape', '\\x0041')).toBe('A');
    expect(call('unescape', '\\x20AC')).toBe('€');
    expect(call('unescape', 'Hello, \\x00004E16\\x0000754C')).toBe('Hello, 世界');
  });

  it('rejects unknown escapes and invalid code points', () => {
    expect(() => call('unescape', '\\L')).toThrow(/unrecognized escape sequence \\L/);
    expect(() => call('unescape', '\\xG1')).toThrow(/unrecognized escape sequence \\x/);
    expect(() => call('unescape', '\\x11000000')).toThrow(/not a valid Unicode character/);
    expect(() => call('unescape', null)).toThrow(RuleRuntimeError);
  });
});

describe('regular expressions', () => {
  it('regex_match finds a match anywhere', () => {
    expect(call('regex_match', 'acbcd', 'c')).toBe(true);
    expect(call('regex_match', 'acbcd', '(ac)+')).toBe(true);
    expect(call('regex_match', 'bcd', '(ac)+')).toBe(false);
    expect(call('regex_match', '', '.*')).toBe(true);
    expect(call('regex_match', '', '[a-z]+')).toBe(false);
    expect(call('regex_match', 'exebd', '^[a-z]+$')).toBe(true);
    expect(call('regex_match', 'e2xebd', '^[a-z]+$')).toBe(false);
    expect(call('regex_match', '123', '^\\d+$')).toBe(true);
    expect(call('regex_match', 'ERROR: disk', '(?i)error')).toBe(true);
    expect(call('regex_match', 'ERROR: disk', 'error')).toBe(false);
    expect(call('regex_match', 'a\nb', '(?s)a.b')).toBe(true);
    expect(call('regex_match', 'x\nab', '(?m)\\Aab')).toBe(false);
    expect(call('regex_match', 'ab\n', 'b\\Z')).toBe(true);
    expect(call('regex_match', 'ab\n', 'b\\z')).toBe(false);
    expect(call('regex_match', 'A', '[\\A]')).toBe(true);
  });

  it('regex_replace replaces every match, with & and \\N in the replacement', () => {
    expect(call('regex_replace', '', 'c.*', 'e')).toBe('');
    expect(call('regex_replace', 'accbcd', 'c+', 'e')).toBe('aebed');
    expect(call('regex_replace', 'accbcd', 'c+', '[&]')).toBe('a[cc]b[c]d');
    expect(call('regex_replace', 'hello 123', '\\d+', 'world')).toBe('hello world');
    expect(call('regex_replace', 'a;b; c', ';\\s*', ',')).toBe('a,b,c');
    expect(call('regex_replace', 'john smith', '(\\w+) (\\w+)', '\\2 \\1')).toBe('smith john');
    expect(call('regex_replace', 'ab', 'a', '\\&$1')).toBe('&$1b');
  });

  it('regex_extract returns the groups of the first match', () => {
    expect(call('regex_extract', 'Number: 12345', '(\\d+)')).toEqual(['12345']);
    expect(call('regex_extract', 'Hello, world!', '(\\w+).*\\s(\\w+)')).toEqual(['Hello', 'world']);
    expect(call('regex_extract', 'No numbers here!', '(\\d+)')).toEqual([]);
    expect(call('regex_extract', 'Date: 2021-05-20', '(\\d{4})-(\\d{2})-(\\d{2})')).toEqual([
      '2021',
      '05',
      '20',
    ]);
    expect(call('regex_extract', 'abc', 'b')).toEqual([]);
    expect(call('regex_extract', 'ac', 'a(b)?c')).toEqual(['']);
  });

  it('fail on invalid patterns and missing input', () => {
    expect(() => call('regex_match', 'a', '(')).toThrow(/invalid regular expression/);
    expect(() => call('regex_replace', undefined, 'a', 'b')).toThrow(RuleRuntimeError);
  });

  it('replace empty matches between every character, as re:replace with global does', () => {
    expect(call('regex_replace', 'abc', 'x*', '-')).toBe('-a-b-c-');
    expect(call('regex_replace', 'a😀b', '.', '.')).toBe('...');
  });

  // a backtracking engine takes 2^n steps on these; RE2 semantics are linear in the subject, so the
  // calls return at once (with a backtracking engine the test times out instead of finishing)
  it.each([
    ['(x+x+)+y', 'x'.repeat(40)],
    ['(a*)*b', 'a'.repeat(40)],
    ['^(a|a)*$', `${'a'.repeat(40)}b`],
    ['(.*a){20}', 'a'.repeat(40)],
  ])('match %s on a hostile subject in linear time', (pattern, subject) => {
    expect(call('regex_match', subject, pattern)).toBe(pattern === '(.*a){20}');
    expect(call('regex_replace', subject, pattern, '')).toBe(pattern === '(.*a){20}' ? '' : subject);
    expect(call('regex_extract', subject, pattern)).toHaveLength(pattern === '(.*a){20}' ? 1 : 0);
  });

  it('refuse what RE2 does not have (backreferences, lookaround) with an error naming the pattern', () => {
    expect(() => call('regex_match', 'aa', '(a)\\1')).toThrow(
      'regex_match: invalid regular expression "(a)\\\\1": error parsing regexp: invalid escape sequence: `\\1` (patterns have RE2 syntax: no backreferences, lookaround or possessive quantifiers)',
    );
    expect(() => call('regex_match', 'ab', 'a(?=b)')).toThrow(/invalid regular expression/);
    expect(() => call('regex_match', 'ab', '(?<=a)b')).toThrow(RuleRuntimeError);
  });
});
