import { Module } from '@nestjs/common';
import { MetricsBoard } from './metrics-board.service';
import { StatusBoard } from './status-board.service';

/** Live views: connection states (ingest, delivery) and rule and action counters (rules, delivery). */
@Module({ providers: [StatusBoard, MetricsBoard], exports: [StatusBoard, MetricsBoard] })
export class StatusModule {}
