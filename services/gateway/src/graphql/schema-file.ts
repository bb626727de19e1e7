import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaBuilderModule, GraphQLSchemaFactory } from '@nestjs/graphql';
import type { GraphQLSchema } from 'graphql';
import { ApiKeysResolver } from '../api-keys/api-keys.resolver';
import { ActionCheckResolver } from '../catalog/action-check.resolver';
import { CatalogResolver } from '../catalog/catalog.resolver';
import { ConnectorsResolver } from '../connectors/connectors.resolver';
import { DeadLettersResolver } from '../dead-letters/dead-letters.resolver';
import { ActionsResolver } from '../rules/actions.resolver';
import { RuleTraceResolver } from '../rules/rule-trace.resolver';
import { RulesResolver } from '../rules/rules.resolver';
import { SourcesResolver } from '../sources/sources.resolver';
import { TenantsResolver } from '../tenants/tenants.resolver';
import { UsageResolver } from '../usage/usage.resolver';
import { graphql } from './graphql-runtime';

/** Every resolver of the configuration API (the served schema is compared with this list's, too). */
export const graphqlResolvers = [
  TenantsResolver,
  ApiKeysResolver,
  SourcesResolver,
  ConnectorsResolver,
  RulesResolver,
  ActionsResolver,
  RuleTraceResolver,
  UsageResolver,
  DeadLettersResolver,
  CatalogResolver,
  ActionCheckResolver,
];

/** The checked-in schema file. */
export const schemaFilePath = join(__dirname, '..', '..', 'schema.graphql');

const header =
  '# Generated from the code by `npm run schema:graphql`; a test fails when it drifts. Do not edit.\n\n';

/** The schema as the checked-in file holds it: sorted, printed, with a header, formatted. */
export async function schemaText(schema: GraphQLSchema): Promise<string> {
  const text = `${header}${graphql.printSchema(graphql.lexicographicSortSchema(schema))}\n`;
  // why prettier: the file is checked by `prettier --check .` like every other file
  const prettier = await import('prettier');
  const options = await prettier.resolveConfig(schemaFilePath);
  return prettier.format(text, { ...options, parser: 'graphql' });
}

/**
 * Builds the schema from the resolvers without starting the API.
 *
 * @example writeFileSync(schemaFilePath, await buildSchemaText());
 */
export async function buildSchemaText(): Promise<string> {
  const app = await NestFactory.create(GraphQLSchemaBuilderModule, { logger: false });
  try {
    await app.init();
    const schema = await app.get(GraphQLSchemaFactory).create(graphqlResolvers);
    return await schemaText(schema);
  } finally {
    await app.close();
  }
}

/** The checked-in file's text ('' when missing). */
export function readSchemaFile(): string {
  try {
    return readFileSync(schemaFilePath, 'utf8');
  } catch {
    return '';
  }
}

/** `npm run schema:graphql`: regenerates schema.graphql. */
export async function writeSchemaFile(): Promise<void> {
  writeFileSync(schemaFilePath, await buildSchemaText());
}
