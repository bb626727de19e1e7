import { Inject, Injectable, Logger } from '@nestjs/common';
import { ApiKeysRepository } from '@sluice/persistence';
import type { ApiKeyVerifier, BasicCredentials, PublishPrincipal } from '@sluice/publish';
import { ADMIN_KEY, isAdminKey } from '../auth/admin-key';

/** The username under which the operator key is presented: `admin:<SLUICE_ADMIN_KEY>`. */
export const ADMIN_USERNAME = 'admin';
const TOUCH_EVERY_MS = 60_000;

/**
 * API keys from the database (stored hashed), plus the operator key. A key `slk_<16 hex>_<secret>`
 * is presented as Basic `slk_<16 hex>:<secret>` (EMQX's "key:secret"), or whole as the username
 * with an empty password.
 */
@Injectable()
export class PersistenceApiKeyVerifier implements ApiKeyVerifier {
  private readonly logger = new Logger('PublishApi');
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly apiKeys: ApiKeysRepository,
    @Inject(ADMIN_KEY) private readonly adminKey: string,
  ) {}

  async verify({ username, password }: BasicCredentials): Promise<PublishPrincipal | null> {
    if (username === ADMIN_USERNAME) {
      return isAdminKey(password, this.adminKey)
        ? { keyId: ADMIN_USERNAME, tenantId: null, topicFilters: 'any', rateLimit: 'unlimited' }
        : null;
    }
    const key = password === '' ? username : `${username}_${password}`;
    const row = await this.apiKeys.authenticate(key);
    if (!row) return null;
    this.touch(row.id);
    return {
      keyId: row.id,
      tenantId: row.tenantId,
      topicFilters: row.publishTopics,
      rateLimit: row.rateLimit,
    };
  }

  // why throttled and not awaited: lastUsedAt is informational; a write per publish would halve throughput
  private touch(id: string): void {
    const now = Date.now();
    if (now - (this.touched.get(id) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(id, now);
    this.apiKeys
      .touch(id)
      .catch((error: unknown) => this.logger.warn(`could not record use of key ${id}: ${String(error)}`));
  }
}
