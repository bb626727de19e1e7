import { schemaFilePath, writeSchemaFile } from './schema-file';

// `node -r @swc-node/register services/gateway/src/graphql/print-schema.ts` (npm run schema:graphql)
writeSchemaFile().then(
  () => console.log(`wrote ${schemaFilePath}`),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
