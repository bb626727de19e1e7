import { Module } from '@nestjs/common';
import { DeadLettersResolver } from './dead-letters.resolver';
import { DeadLettersService } from './dead-letters.service';

@Module({ providers: [DeadLettersService, DeadLettersResolver] })
export class DeadLettersModule {}
