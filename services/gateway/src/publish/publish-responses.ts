import type { ServerResponse } from 'node:http';
import type { BulkItemResult, ItemOutcome, Published } from '@sluice/publish';
import { mapError } from '../errors/error-mapping';

/** MQTT 5 reason code 0x10: the broker took the message but nobody subscribed to it. */
const NO_MATCHING_SUBSCRIBERS = 16;

/** EMQX's answer to one publish: 200 `{ id }`, or 202 with the reason when nobody subscribed. */
export function singleAnswer(published: Published): { status: number; body: Record<string, unknown> } {
  if (published.reasonCode === NO_MATCHING_SUBSCRIBERS) {
    return {
      status: 202,
      body: { id: published.id, message: 'no_matching_subscribers', reason_code: NO_MATCHING_SUBSCRIBERS },
    };
  }
  return { status: 200, body: { id: published.id } };
}

/** Item-by-item answer: 200 when every item was published, 207 when any was not. */
export function itemsAnswer(outcomes: ItemOutcome[]): { status: number; body: BulkItemResult[] } {
  const body = outcomes.map((outcome): BulkItemResult => {
    const base = { index: outcome.index, ...(outcome.topic === undefined ? {} : { topic: outcome.topic }) };
    if ('published' in outcome) {
      const { id, reasonCode } = outcome.published;
      return { ...base, status: 'published', id, ...(reasonCode === 0 ? {} : { reason_code: reasonCode }) };
    }
    const mapped = mapError(outcome.error);
    return {
      ...base,
      status: 'failed',
      error: { code: mapped.code, status: mapped.http, detail: mapped.message },
    };
  });
  return { status: body.every((item) => item.status === 'published') ? 200 : 207, body };
}

/** Sends JSON ourselves, because the status (200, 202, 207) depends on the outcome. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.end(JSON.stringify(body));
}
