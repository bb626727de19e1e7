import { Controller, Get, Header } from '@nestjs/common';
import { buildPublishOpenApi, publishOpenApiYaml } from '@sluice/publish';

/** The publish API's OpenAPI document (also checked in as docs/openapi/publish-api.yaml). No auth. */
@Controller('api/v5')
export class OpenApiController {
  private readonly document = buildPublishOpenApi();
  private readonly yaml = publishOpenApiYaml();

  @Get('openapi.json')
  json(): Record<string, unknown> {
    return this.document;
  }

  @Get('openapi.yaml')
  @Header('Content-Type', 'application/yaml; charset=utf-8')
  yamlDocument(): string {
    return this.yaml;
  }
}
