import type { ComparisonOperator } from '../ast/comparison-node';
import { RuleRuntimeError } from '../errors';
import { compareNumbers, isErlangNumber, numberFromText, type ErlangNumber } from '../numbers/erlang-number';
import { topicMatches } from '../topic-filter/topic-filter';
import { isMap, typeName } from './values';

/**
 * EMQX's comparison rules (emqx_rule_runtime:compare): two undefined values compare as equal
 * terms; one undefined makes every comparison false; a number against a string parses the string
 * (failing the message when it is not a number); true/false/null against a string compare by name;
 * otherwise Erlang term order applies (number < atom < map < list < string).
 */
export function compare(op: ComparisonOperator, left: unknown, right: unknown): boolean {
  if (left === undefined || right === undefined) {
    if (left !== right) return false;
  } else if (isErlangNumber(left) && typeof right === 'string') {
    right = parseNumber(right);
  } else if (typeof left === 'string' && isErlangNumber(right)) {
    left = parseNumber(left);
  } else if (isAtom(left) && typeof right === 'string') {
    left = atomName(left);
  } else if (typeof left === 'string' && isAtom(right)) {
    right = atomName(right);
  }
  switch (op) {
    case '=':
      return termCompare(left, right) === 0;
    case '!=':
    case '<>':
      return termCompare(left, right) !== 0;
    case '>':
      return termCompare(left, right) > 0;
    case '<':
      return termCompare(left, right) < 0;
    case '>=':
      return termCompare(left, right) >= 0;
    case '<=':
      return termCompare(left, right) <= 0;
    case '=~':
      if (typeof left !== 'string' || typeof right !== 'string') {
        throw new RuleRuntimeError(
          `=~ needs a topic and a topic filter, got ${typeName(left)} and ${typeName(right)}`,
        );
      }
      return topicMatches(left, right);
  }
}

function isAtom(value: unknown): boolean {
  return value === null || typeof value === 'boolean';
}

/** Erlang's binary_to_integer, then binary_to_float: "12", "-3", "1.5", "2.0e3"; not "1e3" or " 1". */
function parseNumber(text: string): ErlangNumber {
  if (/^[+-]?\d+$/.test(text) || /^[+-]?\d+\.\d+([eE][+-]?\d+)?$/.test(text)) return numberFromText(text);
  throw new RuleRuntimeError(`cannot compare a number with the non-numeric string ${JSON.stringify(text)}`);
}

function rank(value: unknown): number {
  if (isErlangNumber(value)) return 0;
  if (value === undefined || value === null || typeof value === 'boolean') return 1;
  if (Array.isArray(value)) return 9;
  if (typeof value === 'string') return 10;
  if (isMap(value)) return 7;
  return 11;
}

// atoms order by name: false < null < true < undefined
function atomName(value: unknown): string {
  return value === undefined ? 'undefined' : value === null ? 'null' : value ? 'true' : 'false';
}

/** Erlang term order for JSON-like values: -1, 0 or 1. */
export function termCompare(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      // Erlang compares an integer and a float by value (1 == 1.0), as `=` and `<` do in EMQX
      return compareNumbers(a as ErlangNumber, b as ErlangNumber);
    case 1:
      return order(atomName(a), atomName(b));
    case 10:
      return order(a as string, b as string);
    case 9:
      return compareLists(a as unknown[], b as unknown[]);
    case 7:
      return compareMaps(a as Record<string, unknown>, b as Record<string, unknown>);
    default:
      return a === b ? 0 : 1;
  }
}

function order(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}

function compareLists(a: unknown[], b: unknown[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = termCompare(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

// Erlang orders maps by size, then by their sorted keys, then by the values in key order
function compareMaps(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.length !== kb.length) return ka.length < kb.length ? -1 : 1;
  for (let i = 0; i < ka.length; i++) {
    const c = order(ka[i] as string, kb[i] as string);
    if (c !== 0) return c;
  }
  for (const key of ka) {
    const c = termCompare(a[key], b[key]);
    if (c !== 0) return c;
  }
  return 0;
}
