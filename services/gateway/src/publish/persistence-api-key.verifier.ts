import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ApiKeysRepository } from '@sluice/persistence';
import type { ApiKeyVerifier, BasicCredentials, PublishPrincipal } from '@sluice/publish';
import { ADMIN_KEY, isAdminKey } from '../auth/admin-key';

/** The username under which the operator key is presented: `admin:<SLUICE_ADMIN_KEY>`. */
export const ADMIN_USERNAME = 'admin';
const TOUCH_EVERY_MS = 60_000;
/** How long a verified key is trusted without asking the database again; also the revocation delay. */
export const VERIFIED_KEY_TTL_MS = 5_000;
const MAX_CACHED_KEYS = 10_000;

/**
 * API keys from the database (stored hashed), plus the operator key. A key `slk_<16 hex>_<secret>`
 * is presented as Basic `slk_<16 hex>:<secret>` (EMQX's "key:secret"), or whole as the username
 * with an empty password. A verified key is trusted for {@link VERIFIED_KEY_TTL_MS} without a
 * database read (about half the CPU of a request otherwise), so a revocation takes that long.
 */
@Injectable()
export class PersistenceApiKeyVerifier implements ApiKeyVerifier {
  private readonly logger = new Logger('PublishApi');
  private readonly touched = new Map<string, number>();
  // keyed by a hash of the presented key, so the cache never holds a secret; only successes are
  // cached, so guessing cannot fill it
  private readonly verified = new Map<string, { principal: PublishPrincipal; until: number }>();

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
    const cacheKey = createHash('sha256').update(key).digest('base64');
    const cached = this.verified.get(cacheKey);
    if (cached && cached.until > Date.now()) return cached.principal;
    const row = await this.apiKeys.authenticate(key);
    if (!row) {
      this.verified.delete(cacheKey);
      return null;
    }
    this.touch(row.id);
    const principal: PublishPrincipal = {
      keyId: row.id,
      tenantId: row.tenantId,
      topicFilters: row.publishTopics,
      rateLimit: row.rateLimit,
    };
    if (this.verified.size >= MAX_CACHED_KEYS) this.verified.clear();
    this.verified.set(cacheKey, { principal, until: Date.now() + VERIFIED_KEY_TTL_MS });
    return principal;
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
