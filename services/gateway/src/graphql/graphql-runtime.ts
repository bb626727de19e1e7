import { createRequire } from 'node:module';
import type * as GraphqlModule from 'graphql';

/**
 * The `graphql` instance @nestjs/graphql and Apollo use. Why not a plain import: under the test
 * runner this file is ESM and `import 'graphql'` loads graphql's ESM build, while Nest `require`s
 * the CommonJS one, and graphql refuses to mix objects from two instances. In the build both are
 * CommonJS and this is simply `require('graphql')`.
 */
export const graphql = createRequire(__filename)('graphql') as typeof GraphqlModule;
