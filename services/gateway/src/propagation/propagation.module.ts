import { Module } from '@nestjs/common';
import { ConfigPublisher } from './config-publisher.service';
import { TenantChanges } from './tenant-changes.service';

/** Changes to tenants' pipelines (one transaction, checked) and their publication to the config store. */
@Module({ providers: [ConfigPublisher, TenantChanges], exports: [ConfigPublisher, TenantChanges] })
export class PropagationModule {}
