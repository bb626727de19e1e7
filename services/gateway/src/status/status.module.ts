import { Module } from '@nestjs/common';
import { StatusBoard } from './status-board.service';

/** Live connection states of sources and connectors, announced by ingest and delivery. */
@Module({ providers: [StatusBoard], exports: [StatusBoard] })
export class StatusModule {}
