import type { ForeachNode } from './foreach-node';
import type { SelectNode } from './select-node';

/** A whole rule. */
export type StatementNode = SelectNode | ForeachNode;
