import { Module, type DynamicModule } from '@nestjs/common';
import { IngestService } from './ingest.service';
import { INGEST_SETTINGS, type ResolvedIngestSettings } from './ingest.settings';

@Module({})
export class IngestModule {
  static forRoot(settings: ResolvedIngestSettings): DynamicModule {
    return {
      module: IngestModule,
      providers: [{ provide: INGEST_SETTINGS, useValue: settings }, IngestService],
    };
  }
}
