import { isErlangInteger, toDouble, type ErlangNumber } from '../numbers/erlang-number';

/**
 * Decimal formatting of doubles as Erlang's `float_to_binary(F, [{decimals, D}, compact])` does it:
 * fixed notation (never an exponent), rounded from the double's exact binary value, trailing zeros
 * dropped but one digit kept after the point. JS `toFixed` stops at 100 decimals and EMQX allows 253,
 * so the digits come from exact BigInt arithmetic instead.
 */
export function formatDecimals(value: number, decimals: number, compact = true): string {
  const negative = value < 0;
  // why: toFixed is exact (ECMA-262 picks the closest n, ties to the larger magnitude, as below) and
  // about ten times faster; it only covers up to 100 decimals and magnitudes below 1e21
  const abs = Math.abs(value);
  if (decimals <= 100 && abs < 1e21) return finish(negative, abs.toFixed(decimals), decimals, compact);
  const { mantissa, exponent } = decompose(Math.abs(value));
  let scaled: bigint; // |value| * 10^decimals, rounded half away from zero
  if (exponent >= 0) {
    scaled = (mantissa << BigInt(exponent)) * 10n ** BigInt(decimals);
  } else {
    // |value| = mantissa / 2^k = mantissa * 5^k / 10^k
    const k = -exponent;
    const exact = mantissa * 5n ** BigInt(k);
    if (decimals >= k) {
      scaled = exact * 10n ** BigInt(decimals - k);
    } else {
      const divisor = 10n ** BigInt(k - decimals);
      scaled = exact / divisor;
      if ((exact % divisor) * 2n >= divisor) scaled += 1n;
    }
  }
  const digits = scaled.toString().padStart(decimals + 1, '0');
  const fixed = decimals
    ? `${digits.slice(0, digits.length - decimals)}.${digits.slice(digits.length - decimals)}`
    : digits;
  return finish(negative, fixed, decimals, compact);
}

function finish(negative: boolean, fixed: string, decimals: number, compact: boolean): string {
  const point = fixed.indexOf('.');
  const integerPart = point < 0 ? fixed : fixed.slice(0, point);
  let fraction = point < 0 ? '' : fixed.slice(point + 1);
  if (compact) fraction = fraction.replace(/0+$/, '') || (decimals > 0 ? '0' : '');
  const sign = negative ? '-' : '';
  return fraction === '' ? `${sign}${integerPart}` : `${sign}${integerPart}.${fraction}`;
}

/** Splits a finite non-negative double into mantissa * 2^exponent, both exact. */
function decompose(value: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biased = (high >>> 20) & 0x7ff;
  const fractionBits = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  if (biased === 0) return { mantissa: fractionBits, exponent: -1074 };
  return { mantissa: fractionBits | (1n << 52n), exponent: biased - 1075 };
}

/**
 * How EMQX prints a number (`str`, `concat`; emqx_utils_conv:number_to_binary): integers in full,
 * floats as `float_to_binary(F, [{decimals, 10}, compact])`, so 2.0 prints as "2.0" and 0.1 + 0.2 as
 * "0.3".
 */
export function numberToString(value: ErlangNumber): string {
  if (isErlangInteger(value)) return value.toString();
  return formatDecimals(toDouble(value), 10);
}
