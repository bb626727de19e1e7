import { Module } from '@nestjs/common';
import { PlansModule } from '../plans/plans.module';
import { PropagationModule } from '../propagation/propagation.module';
import { SourcesResolver } from './sources.resolver';
import { SourcesService } from './sources.service';

@Module({ imports: [PropagationModule, PlansModule], providers: [SourcesService, SourcesResolver] })
export class SourcesModule {}
