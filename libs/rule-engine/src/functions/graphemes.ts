/**
 * Erlang's string module counts and slices grapheme clusters ("\r\n" and "e" + combining accent are
 * one character each), so strlen, substr, reverse and pad do the same.
 */
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * UTF-16 units that are always a grapheme of their own: Latin, Greek, Cyrillic, general punctuation,
 * CJK, kana and precomposed Hangul, without their combining marks, CR, ZWJ or surrogates (emoji).
 * why: Intl.Segmenter costs tens of microseconds per call; most payload text never needs it.
 */
function isSingleUnitGrapheme(code: number): boolean {
  if (code < 0x0300) return code !== 0x0d;
  return (
    (code >= 0x0370 && code <= 0x0482) ||
    (code >= 0x048a && code <= 0x052f) ||
    (code >= 0x2000 && code <= 0x20cf && code !== 0x200d) ||
    (code >= 0x2100 && code <= 0x2bff) ||
    (code >= 0x3000 && code <= 0x3029) ||
    (code >= 0x3030 && code <= 0x3098) ||
    (code >= 0x309b && code <= 0x9fff) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xff00 && code <= 0xffef)
  );
}

export function graphemes(text: string): string[] {
  let simple = true;
  for (let i = 0; i < text.length && simple; i++) simple = isSingleUnitGrapheme(text.charCodeAt(i));
  if (simple) return text.split('');
  return Array.from(segmenter.segment(text), (part) => part.segment);
}
