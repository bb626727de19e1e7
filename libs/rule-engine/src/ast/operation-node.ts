/** Where a node starts in the SQL, for compile errors that point at it. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** Every syntax-tree node is a frozen object with a `kind` tag. */
export interface OperationNode {
  readonly kind: string;
  readonly position: SourcePosition;
}

export const freeze = Object.freeze;
