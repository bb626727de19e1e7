import { IsNull, Not, type DataSource } from 'typeorm';
import { Connector } from '../entities/connector.entity';
import { Source } from '../entities/source.entity';
import { SecretDecryptError, SecretKeyError } from '../errors';
import { resolveDatabase, type PersistenceConfig } from '../persistence.config';
import { SecretBox } from './secret-box';
import { loadSecretKey, secretKeyOrigin } from './secret-key';

/** The context a row's secrets are sealed under: authenticated, so a value copied to another row does not open. */
export const sealedSecretContext = (what: 'connector' | 'source', id: string) => `${what}:${id}`;

/**
 * The SecretBox for a gateway's database. With no sealed secrets stored (a fresh install) the key
 * is loaded on first use, and generated in the embedded mode. With sealed secrets stored, the key
 * must be there and must open one of them, or the start fails with {@link SecretKeyError} naming
 * the key file or SLUICE_SECRET_KEY. Why at start: a new key (or a wrong one) would leave every
 * tenant with secrets unable to run, while the gateway reported itself ready.
 *
 * @example const box = await openSecretBox(dataSource, config);
 */
export async function openSecretBox(dataSource: DataSource, config: PersistenceConfig): Promise<SecretBox> {
  const generateIfMissing = resolveDatabase(config).type === 'sqlite';
  const stored = await findSealedSecret(dataSource);
  if (!stored) return new SecretBox(() => loadSecretKey(config, { generateIfMissing }));
  const box = new SecretBox(loadSecretKey(config, { generateIfMissing, sealedSecretsExist: true }));
  try {
    box.open(stored.sealed, sealedSecretContext(stored.what, stored.id));
  } catch (error) {
    if (!(error instanceof SecretDecryptError)) throw error;
    throw new SecretKeyError(
      `${secretKeyOrigin(config)} does not open the secrets stored in the database (${stored.what} ${stored.id}): ` +
        'it is not the key they were sealed with; restore that key',
      { cause: error },
    );
  }
  return box;
}

async function findSealedSecret(
  dataSource: DataSource,
): Promise<{ what: 'connector' | 'source'; id: string; sealed: string } | undefined> {
  for (const [what, entity] of [
    ['connector', Connector],
    ['source', Source],
  ] as const) {
    const row = await dataSource.getRepository<Connector | Source>(entity).findOne({
      where: { secretsSealed: Not(IsNull()) },
      select: { id: true, secretsSealed: true },
    });
    if (row?.secretsSealed) return { what, id: row.id, sealed: row.secretsSealed };
  }
  return undefined;
}
