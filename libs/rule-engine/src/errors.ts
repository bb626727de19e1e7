import { SluiceError } from '@sluice/errors';

/** A rule whose SQL does not parse. Names the line, column, what was found and what was expected. */
export class RuleSqlError extends SluiceError {
  readonly code = 'RULE_SQL_SYNTAX';
  readonly category = 'BAD_INPUT';

  constructor(
    readonly detail: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${detail} at line ${line}, column ${column}`);
  }
}

/** SQL that parses but cannot be compiled: unknown function, wrong number of arguments, unsupported event topic. */
export class RuleCompileError extends SluiceError {
  readonly code = 'RULE_COMPILE';
  readonly category = 'BAD_INPUT';

  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line === undefined ? message : `${message} at line ${line}, column ${column}`);
  }
}

/** A failure while evaluating one message (bad type, division by zero): fails that message for that rule only. */
export class RuleRuntimeError extends SluiceError {
  readonly code = 'RULE_RUNTIME';
  readonly category = 'BAD_INPUT';

  constructor(
    message: string,
    options?: ErrorOptions & {
      /** The clause being evaluated: SELECT, WHERE, FOREACH, INCASE or DO. */
      readonly clause?: RuleClause;
    },
  ) {
    super(options?.clause ? `${options.clause}: ${message}` : message, options);
    this.clause = options?.clause;
  }

  readonly clause: RuleClause | undefined;
}

export type RuleClause = 'SELECT' | 'WHERE' | 'FOREACH' | 'INCASE' | 'DO';
