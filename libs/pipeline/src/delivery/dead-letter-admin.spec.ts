import {
  createSubjects,
  decodeActionRequest,
  defaultBusConfig,
  encodeDeadLetter,
  InProcessBus,
  type ActionRequest,
} from '@sluice/bus';
import { DeadLetterAdmin } from '@sluice/pipeline';

const subjects = createSubjects('');

function request(id: string, tenant: string, connectorId: string): ActionRequest {
  return {
    id,
    tenant,
    ruleId: 'r1',
    actionId: 'a1',
    connectorId,
    data: Buffer.from(JSON.stringify({ temp: 21 })),
    sourceMessageId: `m-${id}`,
    createdAt: Date.UTC(2026, 11, 7, 10),
    trace: {},
  };
}

describe('DeadLetterAdmin on the in-process bus', () => {
  let bus: InProcessBus;
  let admin: DeadLetterAdmin;

  beforeEach(async () => {
    bus = new InProcessBus(defaultBusConfig(), subjects);
    await bus.start();
    admin = new DeadLetterAdmin(bus, subjects);
    const letter = (req: ActionRequest, code: string, attempts: number) =>
      bus.publish(
        subjects.dlq(req.tenant, req.connectorId),
        encodeDeadLetter({
          request: req,
          errorCode: code,
          errorMessage: `${code} happened`,
          attempts,
          failedAt: Date.UTC(2026, 11, 7, 11),
        }),
        { msgId: `dlq-${req.id}` },
      );
    await letter(request('q1', 'acme', 'web'), 'HTTP_503', 5);
    await letter(request('q2', 'acme', 'db'), 'PG_UNIQUE', 1);
    await letter(request('q3', 'other', 'web'), 'HTTP_500', 2);
    // a message ingest could not store: no request, only its head
    await bus.publish(
      subjects.dlq('acme', '_ingest'),
      encodeDeadLetter({
        errorCode: 'INGEST_MESSAGE_TOO_LARGE',
        errorMessage: 'too large',
        attempts: 1,
        failedAt: Date.now(),
        raw: new Uint8Array([1, 2]),
      }),
      { msgId: 'dlq-ingest' },
    );
  });
  afterEach(() => bus.close());

  it("lists only the tenant's letters, by connector, with code and attempts", async () => {
    const all = await admin.list({ tenant: 'acme' });
    expect(all.map((e) => [e.connectorId, e.code, e.attempts])).toEqual([
      ['web', 'HTTP_503', 5],
      ['db', 'PG_UNIQUE', 1],
      ['_ingest', 'INGEST_MESSAGE_TOO_LARGE', 1],
    ]);
    const web = await admin.list({ tenant: 'acme', connector: 'web' });
    expect(web.map((e) => e.requestId)).toEqual(['q1']);
    expect(web[0]!.failedAt).toBe('2026-12-07T11:00:00.000Z');
  });

  it('inspects one letter with the rule output it carried, and hides other tenants', async () => {
    const [first] = await admin.list({ tenant: 'acme', connector: 'web' });
    const detail = await admin.get('acme', first!.seq);
    expect(JSON.parse(detail.data)).toEqual({ temp: 21 });
    expect(detail.sourceMessageId).toBe('m-q1');
    expect(detail.message).toBe('HTTP_503 happened');
    await expect(admin.get('other', first!.seq)).rejects.toMatchObject({ code: 'DEAD_LETTER_NOT_FOUND' });
  });

  it('re-drives one letter back to ACTIONS under a new message id and removes it', async () => {
    const [first] = await admin.list({ tenant: 'acme', connector: 'web' });
    const msgId = await admin.redrive('acme', first!.seq);
    expect(msgId).toBe(`q1/redrive/${first!.seq}`);
    const actions = await bus.storedMessages('ACTIONS', subjects.actions('acme', 'web'), 10);
    expect(actions.map((m) => decodeActionRequest(m.data).id)).toEqual(['q1']);
    expect(await admin.list({ tenant: 'acme', connector: 'web' })).toEqual([]);
    await expect(admin.redrive('acme', first!.seq)).rejects.toMatchObject({ code: 'DEAD_LETTER_NOT_FOUND' });
  });

  it("re-drives all of a tenant's re-drivable letters, leaving the one without a request", async () => {
    const msgIds = await admin.redriveAll({ tenant: 'acme' });
    expect(msgIds).toHaveLength(2);
    expect((await admin.list({ tenant: 'acme' })).map((e) => e.code)).toEqual(['INGEST_MESSAGE_TOO_LARGE']);
    expect(await admin.list({ tenant: 'other' })).toHaveLength(1);
    const [ingest] = await admin.list({ tenant: 'acme' });
    await expect(admin.redrive('acme', ingest!.seq)).rejects.toMatchObject({
      code: 'DEAD_LETTER_NOT_REDRIVABLE',
    });
  });
});
