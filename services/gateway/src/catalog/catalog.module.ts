import { Module } from '@nestjs/common';
import { PropagationModule } from '../propagation/propagation.module';
import { ActionCheckResolver } from './action-check.resolver';
import { CatalogResolver } from './catalog.resolver';

@Module({ imports: [PropagationModule], providers: [CatalogResolver, ActionCheckResolver] })
export class CatalogModule {}
