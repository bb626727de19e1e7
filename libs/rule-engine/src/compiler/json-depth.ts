/**
 * The deepest JSON a rule decodes (payloads, json_decode, paths into JSON text). Decoding itself
 * does not recurse, but everything after it does (encoding outputs, comparing, json_encode), so a
 * payload of 100,000 nested brackets would overflow the stack there. EMQX's jiffy has no such bound;
 * 128 levels is far beyond any real message.
 */
export const MAX_JSON_DEPTH = 128;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** Whether JSON text nests arrays and objects deeper than `max` (brackets inside strings do not count). */
export function jsonNestsDeeperThan(text: string, max = MAX_JSON_DEPTH): boolean {
  // why: nesting deeper than max takes more than max characters, so short texts cost nothing
  if (text.length <= max * 2) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) depth--;
  }
  return false;
}

/** The error text for JSON over the bound. */
export const TOO_DEEP = `nested deeper than ${MAX_JSON_DEPTH} levels`;
