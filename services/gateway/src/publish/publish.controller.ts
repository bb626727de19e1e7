import { Body, Controller, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { PublishService, type PublishPrincipal } from '@sluice/publish';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiKeyGuard, CurrentPrincipal } from './api-key.guard';
import { ProblemDetailsFilter } from './problem-details.filter';
import { itemsAnswer, sendJson, singleAnswer } from './publish-responses';
import { tracePropertiesOf } from './trace-properties';

/** EMQX's v5 publish API: `POST /api/v5/publish` and `POST /api/v5/publish/bulk`. */
@Controller('api/v5/publish')
@UseFilters(ProblemDetailsFilter)
@UseGuards(ApiKeyGuard)
export class PublishController {
  constructor(private readonly publisher: PublishService) {}

  @Post()
  async publish(
    @CurrentPrincipal() principal: PublishPrincipal,
    @Body() body: unknown,
    @Req() request: IncomingMessage,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const result = await this.publisher.publish(principal, body, tracePropertiesOf(request));
    const answer = 'single' in result ? singleAnswer(result.single) : itemsAnswer(result.items);
    sendJson(response, answer.status, answer.body);
  }

  @Post('bulk')
  async publishBulk(
    @CurrentPrincipal() principal: PublishPrincipal,
    @Body() body: unknown,
    @Req() request: IncomingMessage,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const answer = itemsAnswer(await this.publisher.publishBulk(principal, body, tracePropertiesOf(request)));
    sendJson(response, answer.status, answer.body);
  }
}
