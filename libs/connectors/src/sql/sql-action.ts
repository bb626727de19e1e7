import { z } from 'zod';
import type { Action, DeliveryOutcome, DeliveryRecord } from '../connector';
import { OK, allOf } from '../shared/outcomes';
import { compileField, parseConfig, positiveInt } from '../shared/parse-config';
import { compileSqlTemplate, type SqlDialect, type SqlStatement } from '../template/sql-template';

export const sqlActionSchema = z
  .object({
    /**
     * The statement; `${...}` placeholders become bound parameters. An `INSERT ... VALUES (...)`
     * is sent as one multi-row INSERT per batch. For idempotent delivery, give the table a unique
     * column filled from `${id}` and add `ON CONFLICT DO NOTHING` (PostgreSQL) or use
     * `INSERT IGNORE` / `ON DUPLICATE KEY UPDATE` (MySQL).
     */
    sql: z.string().trim().min(1),
    /** Records per statement (per multi-row INSERT). */
    maxBatchSize: positiveInt().max(10_000).default(100),
  })
  .strict();
export type SqlActionConfig = z.output<typeof sqlActionSchema>;

/** What a driver gives the shared SQL action: how to run a statement and how to read its errors. */
export interface SqlDriver {
  dialect: SqlDialect;
  /** Most bound parameters one statement may carry. */
  maxParams: number;
  run(statement: SqlStatement): Promise<void>;
  /** The outcome for an error; `perRecord` says it belongs to the data, so retrying rows one by one can isolate it. */
  classify(error: unknown): { outcome: DeliveryOutcome; perRecord: boolean };
  /** Records a success (the driver's connector marks itself connected). */
  succeeded(): void;
}

/**
 * The action both SQL drivers share. A failed multi-row INSERT changes nothing (one statement), so
 * when it fails because of the data, each record is tried alone: one bad row does not take its
 * batch down with it.
 */
export function createSqlAction(driver: SqlDriver, input: unknown, deliver: DeliverFn): Action {
  const config = parseConfig(sqlActionSchema, input);
  const template = compileField('sql', () => compileSqlTemplate(config.sql, driver.dialect));
  const perRow = Math.max(1, template.statement({ data: {} }).values.length);
  const maxBatchSize = template.batchable
    ? Math.min(config.maxBatchSize, Math.floor(driver.maxParams / perRow))
    : config.maxBatchSize;

  const one = async (record: DeliveryRecord): Promise<DeliveryOutcome> => {
    try {
      await driver.run(template.statement(record));
      driver.succeeded();
      return OK;
    } catch (error) {
      return driver.classify(error).outcome;
    }
  };

  const send = async (records: readonly DeliveryRecord[]): Promise<DeliveryOutcome[]> => {
    if (!template.batchable || records.length === 1) return Promise.all(records.map(one));
    const outcomes: DeliveryOutcome[] = [];
    for (let start = 0; start < records.length; start += maxBatchSize) {
      const chunk = records.slice(start, start + maxBatchSize);
      try {
        await driver.run(template.batchStatement(chunk));
        driver.succeeded();
        outcomes.push(...allOf(chunk.length, OK));
      } catch (error) {
        const { outcome, perRecord } = driver.classify(error);
        if (!perRecord) outcomes.push(...allOf(chunk.length, outcome));
        else for (const record of chunk) outcomes.push(await one(record));
      }
    }
    return outcomes;
  };

  return { maxBatchSize, send: (records) => deliver(records, () => send(records)) };
}

export type DeliverFn = (
  records: readonly DeliveryRecord[],
  run: () => Promise<DeliveryOutcome[]>,
) => Promise<DeliveryOutcome[]>;
