import type { ExpressionNode } from '../ast/expression-node';
import type { FieldNode } from '../ast/select-field-node';
import type { StatementNode } from '../ast/statement-node';

/** Message functions that read a column (clientip() is EMQX's other name for peerhost). */
const functionColumns: ReadonlyMap<string, string> = new Map([
  ['clientid', 'clientid'],
  ['username', 'username'],
  ['peerhost', 'peerhost'],
  ['clientip', 'peerhost'],
  ['topic', 'topic'],
  ['qos', 'qos'],
  ['msgid', 'id'],
  ['flags', 'flags'],
  ['flag', 'flags'],
  ['payload', 'payload'],
]);

/**
 * The message columns a rule reads: the roots of its names that are not its own aliases (a field
 * reads the aliases written before it, WHERE/DO/INCASE all of them) and the columns behind message
 * functions such as clientid(). `SELECT *` reads no column by name.
 */
export function readColumns(statement: StatementNode): string[] {
  const columns = new Set<string>();
  const defined = new Set<string>();
  const read = (node: ExpressionNode | undefined) => {
    if (node) visit(node, (name) => !defined.has(name) && columns.add(name));
  };
  const readFields = (fields: readonly FieldNode[]) => {
    for (const field of fields) {
      if (field.kind !== 'SelectFieldNode') continue;
      read(field.expression);
      if (field.alias) defined.add(field.alias.root);
    }
  };
  readFields(statement.fields);
  if (statement.kind === 'ForeachNode') {
    const last = statement.fields[statement.fields.length - 1];
    defined.add(last?.kind === 'SelectFieldNode' && last.alias ? last.alias.root : 'item');
    read(statement.incase);
    readFields(statement.doFields);
  }
  read(statement.where);
  return [...columns];
}

/** Calls `onColumn` with every column name an expression reads. */
function visit(node: unknown, onColumn: (name: string) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) visit(item, onColumn);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const kind = (node as { kind?: unknown }).kind;
  if (kind === 'ReferenceNode') onColumn((node as { root: string }).root);
  if (kind === 'FunctionCallNode') {
    const name = (node as { name: string }).name.toLowerCase().replace(/^emqx_rule_funcs\./, '');
    const column = functionColumns.get(name);
    if (column) onColumn(column);
  }
  // why every value: reaches the nested expressions of each node kind (and index references)
  for (const value of Object.values(node)) if (typeof value === 'object') visit(value, onColumn);
}
