import type { BinaryOpNode } from './binary-op-node';
import type { CaseNode } from './case-node';
import type { ComparisonNode } from './comparison-node';
import type { FunctionCallNode } from './function-call-node';
import type { InNode } from './in-node';
import type { ListNode } from './list-node';
import type { LiteralNode } from './literal-node';
import type { LogicalNode } from './logical-node';
import type { NotNode } from './not-node';
import type { RangeNode } from './range-node';
import type { ReferenceNode } from './reference-node';
import type { UnaryOpNode } from './unary-op-node';

/** Anything that evaluates to a value. */
export type ExpressionNode =
  | LiteralNode
  | ReferenceNode
  | RangeNode
  | ListNode
  | UnaryOpNode
  | BinaryOpNode
  | ComparisonNode
  | LogicalNode
  | NotNode
  | InNode
  | FunctionCallNode
  | CaseNode;
