import { DefaultNamingStrategy, type NamingStrategyInterface } from 'typeorm';

/** `tenantId` in code, `tenant_id` in SQL: what hand-written migrations and SQL tools expect. */
export class SnakeNamingStrategy extends DefaultNamingStrategy implements NamingStrategyInterface {
  override columnName(propertyName: string, customName: string | undefined, prefixes: string[]): string {
    const name = customName ?? toSnake(propertyName);
    return prefixes.length ? `${prefixes.map(toSnake).join('_')}_${name}` : name;
  }
}

function toSnake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
