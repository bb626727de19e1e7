/**
 * Erlang's string module counts and slices grapheme clusters ("\r\n" and "e" + combining accent are
 * one character each), so strlen, substr, reverse and pad do the same.
 */
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

// why: most payload text is ASCII without CR, where every UTF-16 unit is one grapheme
function isSimple(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f || code === 0x0d) return false;
  }
  return true;
}

export function graphemes(text: string): string[] {
  if (isSimple(text)) return text.split('');
  return Array.from(segmenter.segment(text), (part) => part.segment);
}
