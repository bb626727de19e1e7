import { Controller, Get, Header } from '@nestjs/common';
import { SluiceMetrics } from './metrics';

@Controller()
export class MetricsController {
  constructor(private readonly metrics: SluiceMetrics) {}

  /** Prometheus scrape endpoint. */
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  render(): Promise<string> {
    return this.metrics.render();
  }
}
