import { TemplateSyntaxError } from '../errors';
import { compileTemplate, type TemplateInput, type TemplateOptions } from './template';

export interface CommandTemplate {
  readonly source: string;
  /** The command name, upper-cased (`HSET`). */
  readonly command: string;
  /** The rendered arguments, one per whitespace-separated word of the template. */
  args(input: TemplateInput): string[];
}

/**
 * Compiles a command template (Redis style): words are split on whitespace first, then each word
 * is a template, so a value with spaces stays one argument.
 *
 * @example
 * compileCommandTemplate('HSET ${topic} ${clientid} ${payload}').args(input); // ['t/1', 'c1', '{"a":1}']
 */
export function compileCommandTemplate(source: string, options: TemplateOptions = {}): CommandTemplate {
  const words = source.trim().split(/\s+/).filter(Boolean);
  const [command, ...rest] = words;
  if (!command) throw new TemplateSyntaxError('empty command', 0);
  if (command.includes('${')) throw new TemplateSyntaxError('the command name cannot be a placeholder', 0);
  const templates = rest.map((word) => compileTemplate(word, options));
  return {
    source,
    command: command.toUpperCase(),
    args: (input) => templates.map((t) => t.render(input)),
  };
}
