/** What a name means where an expression is compiled. */
export interface Scope {
  /** Roots assigned with AS earlier in the same field list: read from the output first. */
  readonly aliases: ReadonlySet<string>;
  /** In FOREACH's DO and INCASE: the name of the current item (`item` unless aliased). */
  readonly item?: string;
  /** In FOREACH's DO and INCASE: the roots of the FOREACH fields, read from `env.selected`. */
  readonly selected?: ReadonlySet<string>;
}

export const EMPTY_SCOPE: Scope = { aliases: new Set() };
