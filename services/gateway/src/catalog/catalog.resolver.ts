import { UseGuards } from '@nestjs/common';
import { Query, Resolver } from '@nestjs/graphql';
import { connectorKindSchema, connectorKinds } from '@sluice/connectors';
import { ruleFunctionSignatures, type RuleFunctionSignature } from '@sluice/rule-engine';
import { ApiKeyAuthGuard } from '../auth/api-key-auth.guard';
import { secretPaths } from '../connectors/config-secrets';
import { ConnectorKindSchemaModel, RuleFunctionModel } from './catalog.model';

/** What this installation offers, for tools that build forms and editors (the console). */
@Resolver()
@UseGuards(ApiKeyAuthGuard)
export class CatalogResolver {
  @Query(() => [ConnectorKindSchemaModel], {
    description: "Each connector kind's configuration and action schemas (JSON Schema), and its secrets.",
  })
  connectorKindSchemas(): ConnectorKindSchemaModel[] {
    return connectorKinds().flatMap((kind) => {
      const schema = connectorKindSchema(kind);
      return schema ? [{ ...schema, secrets: secretPaths(kind) }] : [];
    });
  }

  @Query(() => [RuleFunctionModel], { description: 'The built-in functions of the rule SQL, by name.' })
  ruleFunctions(): RuleFunctionModel[] {
    return ruleFunctionSignatures().map((fn) => ({ ...fn, signature: signature(fn) }));
  }
}

function signature(fn: RuleFunctionSignature): string {
  const required = Array.from({ length: fn.minArgs }, (_, i) => `arg${i + 1}`);
  const optional =
    fn.maxArgs === null
      ? [`arg${fn.minArgs + 1}...`]
      : Array.from({ length: fn.maxArgs - fn.minArgs }, (_, i) => `arg${fn.minArgs + i + 1}`);
  const head = required.join(', ');
  const tail =
    optional.map((a, i) => `${i === 0 && head ? '[, ' : '['}${a}`).join('') + ']'.repeat(optional.length);
  return `${fn.name}(${head}${tail})`;
}
