/** What a name means where an expression is compiled. */
export interface Scope {
  /** Roots assigned with AS earlier in the same field list: read from the output first. */
  readonly aliases: ReadonlySet<string>;
  /** In FOREACH's DO and INCASE: the name of the current item (`item` unless aliased). */
  readonly item?: string;
}

export const EMPTY_SCOPE: Scope = { aliases: new Set() };
