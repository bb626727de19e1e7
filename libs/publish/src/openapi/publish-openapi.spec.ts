import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildPublishOpenApi, publishOpenApiYaml } from '@sluice/publish';
import { parse } from 'yaml';

const checkedIn = resolve(__dirname, '../../../../docs/openapi/publish-api.yaml');

describe('the publish OpenAPI document', () => {
  // Regenerate after a schema change: SLUICE_UPDATE_OPENAPI=1 npx vitest run --project unit libs/publish/src/openapi
  if (process.env['SLUICE_UPDATE_OPENAPI'] === '1') writeFileSync(checkedIn, publishOpenApiYaml());

  // compared as data, so prettier may format the file as it likes
  it('is the checked-in docs/openapi/publish-api.yaml', () => {
    expect(parse(readFileSync(checkedIn, 'utf8'))).toEqual(JSON.parse(JSON.stringify(buildPublishOpenApi())));
  });

  it('documents the three operations, basic auth and every error status', () => {
    const doc = buildPublishOpenApi() as {
      paths: Record<string, { post: { responses: object } }>;
      components: {
        securitySchemes: Record<string, unknown>;
        schemas: Record<string, { properties: Record<string, { enum?: string[] }> }>;
      };
    };
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/v5/publish', '/api/v5/publish/bulk', '/pub']);
    for (const path of Object.values(doc.paths)) {
      expect(Object.keys(path.post.responses)).toEqual(
        expect.arrayContaining(['400', '401', '403', '413', '429', '503']),
      );
    }
    expect(doc.components.securitySchemes['basic']).toMatchObject({ type: 'http', scheme: 'basic' });
    const request = doc.components.schemas['PublishRequest']!;
    expect(Object.keys(request.properties)).toEqual(
      expect.arrayContaining([
        'topic',
        'topics',
        'payload',
        'payload_encoding',
        'qos',
        'retain',
        'properties',
      ]),
    );
    expect(request.properties['payload_encoding']?.enum).toEqual(['plain', 'base64']);
  });

  it('round-trips through YAML', () => {
    expect(parse(publishOpenApiYaml())).toEqual(JSON.parse(JSON.stringify(buildPublishOpenApi())));
  });
});
