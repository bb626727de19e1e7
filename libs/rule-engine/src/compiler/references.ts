import type { ExpressionNode } from '../ast/expression-node';

/** Every root name an expression reads (used to tell whether WHERE depends on selected aliases). */
export function referencedRoots(node: ExpressionNode, into = new Set<string>()): Set<string> {
  switch (node.kind) {
    case 'ReferenceNode':
      into.add(node.root);
      for (const segment of node.path) if (segment.type === 'index-ref') referencedRoots(segment.ref, into);
      break;
    case 'LiteralNode':
    case 'RangeNode':
      break;
    case 'ListNode':
      node.elements.forEach((e) => referencedRoots(e, into));
      break;
    case 'UnaryOpNode':
    case 'NotNode':
      referencedRoots(node.operand, into);
      break;
    case 'BinaryOpNode':
    case 'ComparisonNode':
    case 'LogicalNode':
      referencedRoots(node.left, into);
      referencedRoots(node.right, into);
      break;
    case 'InNode':
      referencedRoots(node.operand, into);
      node.list.forEach((e) => referencedRoots(e, into));
      break;
    case 'FunctionCallNode':
      node.args.forEach((e) => referencedRoots(e, into));
      break;
    case 'CaseNode':
      if (node.subject) referencedRoots(node.subject, into);
      for (const when of node.whens) {
        referencedRoots(when.condition, into);
        referencedRoots(when.result, into);
      }
      if (node.otherwise) referencedRoots(node.otherwise, into);
      break;
  }
  return into;
}
