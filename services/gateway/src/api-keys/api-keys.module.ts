import { Module } from '@nestjs/common';
import { PlansModule } from '../plans/plans.module';
import { PropagationModule } from '../propagation/propagation.module';
import { ApiKeysResolver } from './api-keys.resolver';
import { ApiKeysService } from './api-keys.service';

@Module({ imports: [PropagationModule, PlansModule], providers: [ApiKeysService, ApiKeysResolver] })
export class ApiKeysModule {}
