import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { GraphQLError } from 'graphql';

/**
 * Apollo plugin: names the request's SERVER span (started by {@link httpServerSpans}) after the
 * GraphQL operation (`query tenants`, `mutation createRule`), records the operation's type and
 * name, and marks the span failed with the first error's code. Does nothing when the request has
 * no recording span (tracing off or sampled out).
 *
 * @example GraphQLModule.forRoot({ ..., plugins: [graphqlTracingPlugin()] })
 */
export function graphqlTracingPlugin<C extends object>(): ApolloServerPlugin<C> {
  return {
    requestDidStart(): Promise<GraphQLRequestListener<C> | void> {
      const span = trace.getActiveSpan();
      if (!span?.isRecording()) return Promise.resolve();
      return Promise.resolve({
        didResolveOperation({ operationName, operation }) {
          if (!operation) return Promise.resolve();
          const type = operation.operation;
          const name = operationName ?? operation.name?.value;
          span.updateName(name ? `${type} ${name}` : type);
          span.setAttribute('graphql.operation.type', type);
          if (name) span.setAttribute('graphql.operation.name', name);
          return Promise.resolve();
        },
        didEncounterErrors({ errors }) {
          const first = errors[0];
          span.setStatus({ code: SpanStatusCode.ERROR, message: first?.message });
          if (first) span.setAttribute('error.type', errorType(first));
          return Promise.resolve();
        },
      });
    },
  };
}

/**
 * The error's stable code: a code already in its extensions (validation, parsing), else the code
 * of the error a resolver threw (SluiceError), else the thrown error's class (OTel `error.type`).
 */
function errorType(error: GraphQLError): string {
  const code = error.extensions?.['code'];
  if (typeof code === 'string') return code;
  const original: unknown = error.originalError;
  if (original instanceof Error) {
    const own = (original as Error & { code?: unknown }).code;
    return typeof own === 'string' ? own : original.name;
  }
  return 'GRAPHQL_ERROR';
}
