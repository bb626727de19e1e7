import { Module, type DynamicModule } from '@nestjs/common';
import { IngestService } from './ingest.service';
import { INGEST_SETTINGS, type ResolvedIngestSettings } from './ingest.settings';

@Module({})
export class IngestModule {
  /**
   * `rules`: the rules module of the same process (embedded): ingest then evaluates the rules on
   * its turn and stores only their action requests (docs/adr/0009-embedded-rules-on-the-ingest-turn.md).
   */
  static forRoot(settings: ResolvedIngestSettings, rules?: DynamicModule): DynamicModule {
    return {
      module: IngestModule,
      imports: rules ? [rules] : [],
      providers: [{ provide: INGEST_SETTINGS, useValue: settings }, IngestService],
    };
  }
}
