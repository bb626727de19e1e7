import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { InputInvalidError } from '../errors/api-errors';

const primitives = new Set<unknown>([String, Boolean, Number, Array, Object]);
// why 'body': @nestjs/graphql hands `@Args()` to pipes under the type Nest names 'body' (both are
// paramtype 3); the parent object of a field resolver and custom decorators are not client input
const GQL_ARGS = 'body';

/**
 * Validates `@InputType`/`@ArgsType` arguments with class-validator; the first problem becomes
 * BAD_USER_INPUT naming the field's path (`input.name`, `input.actions.0.position`).
 */
@Injectable()
export class InputValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const type = metadata.metatype;
    if (metadata.type !== GQL_ARGS) return value;
    if (!type || primitives.has(type) || value === null || typeof value !== 'object') return value;
    const instance = plainToInstance(type, value) as object;
    const errors = await validate(instance);
    const first = errors[0];
    if (first) {
      const { path, message } = firstProblem(first, metadata.data ?? '');
      throw new InputInvalidError(path, message);
    }
    return instance;
  }
}

function firstProblem(error: ValidationError, prefix: string): { path: string; message: string } {
  const path = prefix ? `${prefix}.${error.property}` : error.property;
  const message = Object.values(error.constraints ?? {})[0];
  if (message) return { path, message };
  const child = error.children?.[0];
  return child ? firstProblem(child, path) : { path, message: 'invalid value' };
}
