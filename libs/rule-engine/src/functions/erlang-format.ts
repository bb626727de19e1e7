import { isErlangInteger, isErlangNumber, toDouble, type ErlangNumber } from '../numbers/erlang-number';
import { Buffer, isUtf8 } from 'node:buffer';
import { formatDecimals } from './number-format';
import { erlangKeyOrder } from './term-text';
import { BitString, describe, fail, isMap, MAX_GENERATED_LENGTH } from './values';

/** A number as Erlang prints a term: an integer in full, a float in its shortest form with a point. */
function numberTerm(value: ErlangNumber): string {
  if (isErlangInteger(value)) return value.toString();
  const text = String(toDouble(value)).replace('e+', 'e');
  // why: Erlang floats always show a fraction ("1.0e-7", not "1e-7"; "3.0", not "3")
  if (/^-?\d+e/.test(text)) return text.replace('e', '.0e');
  return text.includes('.') || text.includes('e') ? text : `${text}.0`;
}

/** io_lib's printable characters: latin1 text plus \b \t \n \v \f \r \e, or any Unicode text with ~t. */
function isPrintable(code: number, unicode: boolean): boolean {
  if ((code >= 8 && code <= 13) || code === 27) return true;
  if (code < 32 || code === 127) return false;
  return unicode || code <= 126 || (code >= 160 && code <= 255);
}

function binaryTerm(bytes: Uint8Array, unicode: boolean): string {
  const buffer = Buffer.from(bytes);
  const text = buffer.toString(unicode && isUtf8(buffer) ? 'utf8' : 'latin1');
  if (!Array.from(text).every((c) => isPrintable(c.codePointAt(0)!, unicode))) {
    return `<<${Array.from(bytes).join(',')}>>`;
  }
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return unicode && Array.from(text).some((c) => c.codePointAt(0)! > 0x7f)
    ? `<<"${escaped}"/utf8>>`
    : `<<"${escaped}">>`;
}

/**
 * `~p` / `~w` rendering of a rule value as the Erlang term EMQX holds: strings are binaries
 * (<<"abc">>), maps are #{...}, undefined/null/true/false are atoms. ~p never wraps lines here.
 */
export function erlangTerm(value: unknown, pretty: boolean, unicode: boolean): string {
  if (typeof value === 'string') return binaryTerm(Buffer.from(value, 'utf8'), unicode);
  if (value instanceof Uint8Array) return binaryTerm(value, unicode);
  if (isErlangNumber(value)) return numberTerm(value);
  if (typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (value instanceof BitString) return `<<${value.bitLength} bits>>`;
  const arrow = pretty ? ' => ' : '=>';
  if (Array.isArray(value)) {
    const isCharList =
      pretty && value.length > 0 && value.every((c) => typeof c === 'number' && c >= 32 && c <= 126);
    if (isCharList) return JSON.stringify(String.fromCharCode(...(value as number[])));
    return `[${value.map((item) => erlangTerm(item, pretty, unicode)).join(',')}]`;
  }
  if (isMap(value)) {
    const entries = erlangKeyOrder(Object.keys(value)).map(
      (key) => `${erlangTerm(key, pretty, unicode)}${arrow}${erlangTerm(value[key], pretty, unicode)}`,
    );
    return `#{${entries.join(',')}}`;
  }
  return typeof value;
}

function chardata(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value) && value.every((c) => typeof c === 'number' && Number.isInteger(c))) {
    return String.fromCodePoint(...(value as number[]));
  }
  return fail('sprintf', `~s needs a string, got ${describe(value)}`);
}

function numberArg(value: unknown, control: string, integer: boolean): number {
  if (isErlangNumber(value) && (!integer || isErlangInteger(value))) return toDouble(value);
  return fail('sprintf', `~${control} needs ${integer ? 'an integer' : 'a number'}, got ${describe(value)}`);
}

function justify(text: string, width: number | undefined, left: boolean, padChar: string): string {
  if (width !== undefined && width > MAX_GENERATED_LENGTH)
    fail('sprintf', `field width ${width} is too large`);
  if (width === undefined || text.length >= width) return text;
  const padding = padChar.repeat(width - text.length);
  return left ? text + padding : padding + text;
}

// ~[-]Width.Precision.PadChar Modifier Control
const CONTROL = /~(-?\d+|\*)?(?:\.(\d+|\*)?)?(?:\.(.))?([tlkK]*)([~ncspPwWfegbBxX#+i])/y;

/**
 * The subset of Erlang's `io_lib:format/2` that rule SQL uses: ~s ~ts ~p ~tp ~w ~c ~n ~~ ~b ~B ~x ~X
 * ~# ~+ ~f ~e ~g ~i, with field width, precision and pad character.
 * @example formatErlang('count: ~p~n', [100]) // 'count: 100\n'
 */
export function formatErlang(format: string, args: unknown[]): string {
  let out = '';
  let next = 0;
  const take = (): unknown => {
    if (next >= args.length) fail('sprintf', 'too few arguments for the format');
    return args[next++];
  };
  for (let i = 0; i < format.length;) {
    if (format[i] !== '~') {
      out += format[i++];
      continue;
    }
    CONTROL.lastIndex = i;
    const match = CONTROL.exec(format);
    if (!match) return fail('sprintf', `bad control sequence at position ${i}`);
    i = CONTROL.lastIndex;
    const [, widthText, precisionText, padChar = ' ', modifiers = '', control = ''] = match;
    const widthValue =
      widthText === '*' ? Number(take()) : widthText === undefined ? undefined : Number(widthText);
    const left = widthValue !== undefined && widthValue < 0;
    const width = widthValue === undefined ? undefined : Math.abs(widthValue);
    const precision =
      precisionText === '*'
        ? Number(take())
        : precisionText === undefined
          ? undefined
          : Number(precisionText);
    const unicode = modifiers.includes('t');
    let text: string;
    switch (control) {
      case '~':
        text = '~';
        break;
      case 'n':
        text = '\n';
        break;
      case 'c': {
        if ((precision ?? 1) > MAX_GENERATED_LENGTH) fail('sprintf', `~c count ${precision} is too large`);
        const code = numberArg(take(), 'c', true);
        if (code < 0 || code > 0x10ffff) fail('sprintf', `~c needs a character code, got ${code}`);
        text = String.fromCodePoint(code).repeat(precision ?? 1);
        break;
      }
      case 's':
        text = chardata(take());
        if (precision !== undefined) text = text.slice(0, precision);
        break;
      case 'p':
      case 'w':
        text = erlangTerm(take(), control === 'p', unicode);
        break;
      case 'P':
      case 'W':
        text = erlangTerm(take(), control === 'P', unicode);
        take(); // why: the depth argument limits nesting in Erlang; rule values are shallow enough
        break;
      case 'f':
        text = formatDecimals(numberArg(take(), 'f', false), precision ?? 6, false);
        break;
      case 'e':
        // why: Erlang writes the exponent without padding (1.23e+3, not C's 1.23e+03)
        text = numberArg(take(), 'e', false).toExponential(Math.max((precision ?? 6) - 1, 0));
        break;
      case 'g': {
        // why: Erlang's ~g is ~f for 0.1 =< |x| < 10000 and ~e otherwise, with P significant digits
        const n = numberArg(take(), 'g', false);
        const abs = Math.abs(n);
        const digits = precision ?? 6;
        text =
          abs >= 0.1 && abs < 10000
            ? formatDecimals(n, Math.max(digits - 1 - Math.floor(Math.log10(abs)), 0), false)
            : n.toExponential(Math.max(digits - 1, 0));
        break;
      }
      case 'b':
      case 'B':
      case 'x':
      case 'X':
      case '#':
      case '+': {
        const arg = take();
        const n = numberArg(arg, control, true);
        const base = precision ?? 10;
        if (base < 2 || base > 36) fail('sprintf', `base must be in 2..36, got ${base}`);
        const exact = BigInt(arg as number | bigint);
        const digits = (exact < 0n ? -exact : exact).toString(base);
        const cased = control === 'b' || control === 'x' || control === '+' ? digits : digits.toUpperCase();
        const prefix = control === 'x' || control === 'X' ? chardata(take()) : '';
        const sign = n < 0 ? '-' : '';
        text = control === '#' || control === '+' ? `${sign}${base}#${cased}` : `${sign}${prefix}${cased}`;
        break;
      }
      default: // 'i'
        take();
        text = '';
    }
    out += justify(text, width, left, padChar);
  }
  if (next < args.length) fail('sprintf', 'too many arguments for the format');
  return out;
}
