import { Inject, Injectable, Optional } from '@nestjs/common';
import { BUS, createSubjects, type Bus } from '@sluice/bus';
import { DeadLetterAdmin, type DeadLetterEntry } from '@sluice/pipeline';
import type { TenantId } from '../auth/current-tenant.decorator';
import type { GatewaySettings } from '../config';
import { DeadLettersUnavailableError } from '../errors/api-errors';
import { GATEWAY_SETTINGS } from '../gateway.settings';
import type { DeadLetterDetailModel, DeadLetterModel, DeadLetterRedriveModel } from './dead-letter.model';

/** The DLQ of a tenant through the API: the same DeadLetterAdmin as `sluice dlq`, on the gateway's bus. */
@Injectable()
export class DeadLettersService {
  private readonly admin?: DeadLetterAdmin;

  constructor(
    // why optional: a gateway without a bus (the publish API alone) still serves the schema
    @Optional() @Inject(BUS) bus: Bus | undefined,
    @Inject(GATEWAY_SETTINGS) settings: GatewaySettings,
  ) {
    if (bus?.storedMessages)
      this.admin = new DeadLetterAdmin(bus, createSubjects(settings.SLUICE_BUS_NAMESPACE));
  }

  async list(tenant: TenantId, connectorId: string | undefined, limit: number): Promise<DeadLetterModel[]> {
    const entries = await this.dlq().list({ tenant, connector: connectorId, limit });
    return entries.map(toModel);
  }

  async get(tenant: TenantId, seq: number): Promise<DeadLetterDetailModel> {
    const detail = await this.dlq().get(tenant, seq);
    return {
      ...toModel(detail),
      data: detail.data,
      sourceMessageId: detail.sourceMessageId,
      createdAt: detail.createdAt,
    };
  }

  async redrive(tenant: TenantId, seq: number): Promise<DeadLetterRedriveModel> {
    return { seq, messageId: await this.dlq().redrive(tenant, seq) };
  }

  async redriveAll(tenant: TenantId, connectorId: string | undefined): Promise<number> {
    return (await this.dlq().redriveAll({ tenant, connector: connectorId })).length;
  }

  private dlq(): DeadLetterAdmin {
    if (!this.admin) throw new DeadLettersUnavailableError('this gateway has no bus to read the DLQ from');
    return this.admin;
  }
}

function toModel(entry: DeadLetterEntry): DeadLetterModel {
  return {
    seq: entry.seq,
    connectorId: entry.connectorId,
    ruleId: entry.ruleId,
    actionId: entry.actionId,
    requestId: entry.requestId,
    code: entry.code,
    message: entry.message,
    attempts: entry.attempts,
    firstFailedAt: entry.firstFailedAt,
    failedAt: entry.failedAt,
    redrivable: entry.requestId !== '',
  };
}
