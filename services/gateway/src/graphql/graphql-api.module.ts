import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { ApiKeysRepository } from '@sluice/persistence';
import { graphqlTracingPlugin } from '@sluice/telemetry';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { ADMIN_KEY } from '../auth/admin-key';
import { authenticateKey } from '../auth/api-key-auth.guard';
import { CatalogModule } from '../catalog/catalog.module';
import { ConnectorsModule } from '../connectors/connectors.module';
import { DeadLettersModule } from '../dead-letters/dead-letters.module';
import { RulesModule } from '../rules/rules.module';
import { SourcesModule } from '../sources/sources.module';
import { TenantsModule } from '../tenants/tenants.module';
import { UsageModule } from '../usage/usage.module';
import { formatGraphqlError } from './format-error';
import { GraphqlErrorsFilter } from './graphql-errors.filter';
import { defaultQueryLimits, GRAPHQL_MAX_TOKENS, queryLimitsRule } from './query-limits';
import { graphqlContext, graphqlWsOptions } from './subscriptions';
import { traceIdPlugin } from './trace-id.plugin';

/**
 * The configuration API at POST /graphql (code first; the schema is built in memory at start and
 * checked in as services/gateway/schema.graphql, which a test keeps in step).
 */
@Module({
  imports: [
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      // why async: the WebSocket server authenticates connections with the keys of the database
      inject: [ADMIN_KEY, ApiKeysRepository],
      useFactory: (adminKey: string, apiKeys: ApiKeysRepository): ApolloDriverConfig => ({
        path: '/graphql',
        autoSchemaFile: true,
        sortSchema: true,
        playground: false,
        introspection: true,
        includeStacktraceInErrorResponses: false,
        formatError: formatGraphqlError,
        plugins: [traceIdPlugin(), graphqlTracingPlugin()],
        validationRules: [queryLimitsRule(defaultQueryLimits)],
        // why: graphql-js parses any size by default; the limit makes a huge document cheap to refuse
        parseOptions: { maxTokens: GRAPHQL_MAX_TOKENS },
        context: graphqlContext,
        // why graphql-ws only: subscriptions-transport-ws is unmaintained
        subscriptions: {
          'graphql-ws': graphqlWsOptions((authorization) =>
            authenticateKey(authorization, adminKey, apiKeys),
          ),
        },
      }),
    }),
    TenantsModule,
    ApiKeysModule,
    SourcesModule,
    ConnectorsModule,
    RulesModule,
    UsageModule,
    DeadLettersModule,
    CatalogModule,
  ],
  providers: [{ provide: APP_FILTER, useClass: GraphqlErrorsFilter }],
})
export class GraphqlApiModule {}
