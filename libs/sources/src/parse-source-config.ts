import type { z } from 'zod';
import { SourceConfigError } from './errors';

/** Validates with `schema`; throws {@link SourceConfigError} naming every bad field. */
export function parseSourceConfig<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new SourceConfigError(
    result.error.issues.map((issue) => ({
      field: issue.path.map(String).join('.') || '(root)',
      problem:
        issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message,
    })),
  );
}
