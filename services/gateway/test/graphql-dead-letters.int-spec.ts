import { createSubjects, decodeActionRequest, encodeDeadLetter } from '@sluice/bus';
import { testNamespace } from '../../../test/support';
import { createConnector, failure, ok, tenantWithKey } from './graphql-fixture';
import { startGraphqlApp } from './graphql-test-app';

const LIST = `query($c: ID, $t: ID) { deadLetters(connectorId: $c, tenantId: $t) {
  seq connectorId ruleId actionId requestId code message attempts failedAt redrivable } }`;

interface Letter {
  seq: number;
  connectorId: string;
  requestId: string;
  code: string;
  attempts: number;
  redrivable: boolean;
}

describe('dead letters over GraphQL', () => {
  const ns = testNamespace();
  const subjects = createSubjects(ns.streamPrefix);
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;
  let a: Awaited<ReturnType<typeof tenantWithKey>>;
  let b: Awaited<ReturnType<typeof tenantWithKey>>;

  const deadLetter = (tenant: string, connectorId: string, id: string, code: string, attempts: number) =>
    t.bus.publish(
      subjects.dlq(tenant, connectorId),
      encodeDeadLetter({
        request: {
          id,
          tenant,
          ruleId: 'r1',
          actionId: 'a1',
          connectorId,
          data: Buffer.from(JSON.stringify({ id, temp: 30 })),
          sourceMessageId: `src-${id}`,
          createdAt: Date.now(),
          trace: {},
        },
        errorCode: code,
        errorMessage: `${code}: target refused`,
        attempts,
        failedAt: Date.now(),
      }),
      { msgId: `dlq-${id}` },
    );

  beforeAll(async () => {
    t = await startGraphqlApp('sqlite', { busNamespace: ns.streamPrefix });
    a = await tenantWithKey(t, 'dlq-a');
    b = await tenantWithKey(t, 'dlq-b');
    await deadLetter(a.id, 'web', 'req-1', 'HTTP_503', 5);
    await deadLetter(a.id, 'web', 'req-2', 'HTTP_503', 5);
    await deadLetter(a.id, 'db', 'req-3', 'PG_CONNECTION', 3);
    await deadLetter(b.id, 'web', 'req-4', 'HTTP_500', 1);
  });
  afterAll(async () => {
    await t?.close();
    await t?.dispose();
  });

  it("lists a tenant's dead letters by connector with code and attempts, never another tenant's", async () => {
    const all = ok(await t.gql<{ deadLetters: Letter[] }>(a.key, LIST)).deadLetters;
    expect(all.map((l) => [l.connectorId, l.requestId, l.code, l.attempts, l.redrivable])).toEqual([
      ['web', 'req-1', 'HTTP_503', 5, true],
      ['web', 'req-2', 'HTTP_503', 5, true],
      ['db', 'req-3', 'PG_CONNECTION', 3, true],
    ]);
    const db = ok(await t.gql<{ deadLetters: Letter[] }>(a.key, LIST, { c: 'db' })).deadLetters;
    expect(db.map((l) => l.requestId)).toEqual(['req-3']);
    const ofB = ok(await t.gql<{ deadLetters: Letter[] }>(t.adminKey, LIST, { t: b.id })).deadLetters;
    expect(ofB.map((l) => l.requestId)).toEqual(['req-4']);
    expect(failure(await t.gql(a.key, LIST, { t: b.id })).code).toBe('FORBIDDEN');
  });

  it('inspects one with the rule output it carried; another tenant gets NOT_FOUND', async () => {
    const [first] = ok(await t.gql<{ deadLetters: Letter[] }>(a.key, LIST, { c: 'web' })).deadLetters;
    const INSPECT = 'query($s: Float!) { deadLetter(seq: $s) { requestId message data sourceMessageId } }';
    const { deadLetter: detail } = ok(
      await t.gql<{ deadLetter: { data: string; message: string; sourceMessageId: string } }>(
        a.key,
        INSPECT,
        {
          s: first!.seq,
        },
      ),
    );
    expect(JSON.parse(detail.data)).toEqual({ id: 'req-1', temp: 30 });
    expect(detail.message).toBe('HTTP_503: target refused');
    expect(detail.sourceMessageId).toBe('src-req-1');
    expect(failure(await t.gql(b.key, INSPECT, { s: first!.seq })).code).toBe('NOT_FOUND');
    expect(failure(await t.gql(a.key, INSPECT, { s: 0 })).extensions.sluiceCode).toBe('INPUT_INVALID');
  });

  it('re-drives one back to its connector and removes it, then all of a connector', async () => {
    const [first] = ok(await t.gql<{ deadLetters: Letter[] }>(a.key, LIST, { c: 'web' })).deadLetters;
    const REDRIVE = 'mutation($s: Float!) { redriveDeadLetter(seq: $s) { seq messageId } }';
    expect(failure(await t.gql(b.key, REDRIVE, { s: first!.seq })).code).toBe('NOT_FOUND');
    const { redriveDeadLetter } = ok(
      await t.gql<{ redriveDeadLetter: { messageId: string } }>(a.key, REDRIVE, { s: first!.seq }),
    );
    expect(redriveDeadLetter.messageId).toBe(`req-1/redrive/${first!.seq}`);
    const actions = await t.bus.storedMessages!('ACTIONS', subjects.actions(a.id, 'web'), 10);
    expect(actions.map((m) => decodeActionRequest(m.data).id)).toEqual(['req-1']);

    const ALL = 'mutation($c: ID) { redriveDeadLetters(connectorId: $c) }';
    expect(ok(await t.gql<{ redriveDeadLetters: number }>(a.key, ALL, { c: 'web' })).redriveDeadLetters).toBe(
      1,
    );
    const left = ok(await t.gql<{ deadLetters: Letter[] }>(a.key, LIST)).deadLetters;
    expect(left.map((l) => l.requestId)).toEqual(['req-3']);
    const ofB = ok(await t.gql<{ deadLetters: Letter[] }>(b.key, LIST)).deadLetters;
    expect(ofB).toHaveLength(1);
  });
});

describe('the catalog for forms and editors', () => {
  let t: Awaited<ReturnType<typeof startGraphqlApp>>;
  beforeAll(async () => {
    t = await startGraphqlApp('sqlite');
  });
  afterAll(async () => {
    await t?.close();
    await t?.dispose();
  });

  it("answers each connector kind's JSON Schemas and secret paths", async () => {
    const { connectorKindSchemas, connectorKinds } = ok(
      await t.gql<{
        connectorKinds: string[];
        connectorKindSchemas: { kind: string; config: Record<string, unknown>; secrets: string[] }[];
      }>(t.adminKey, '{ connectorKinds connectorKindSchemas { kind config action secrets } }'),
    );
    expect(connectorKindSchemas.map((s) => s.kind)).toEqual(connectorKinds);
    const kafka = connectorKindSchemas.find((s) => s.kind === 'kafka')!;
    expect(kafka.config.required).toEqual(['brokers']);
    expect(kafka.secrets).toContain('sasl.password');
  });

  it('lists the rule functions with signatures, and refuses a caller without a key', async () => {
    const { ruleFunctions } = ok(
      await t.gql<{ ruleFunctions: { name: string; signature: string }[] }>(
        t.adminKey,
        '{ ruleFunctions { name minArgs maxArgs signature } }',
      ),
    );
    expect(ruleFunctions.find((f) => f.name === 'substr')?.signature).toBe('substr(arg1, arg2[, arg3])');
    expect(ruleFunctions.find((f) => f.name === 'sprintf')?.signature).toBe('sprintf(arg1[, arg2...])');
    expect(ruleFunctions.find((f) => f.name === 'now_timestamp')?.signature).toBe('now_timestamp([arg1])');
    expect(failure(await t.gql(undefined, '{ ruleFunctions { name } }')).code).toBe('UNAUTHENTICATED');
  });

  it("checks an action's templates against its connector's kind as createAction would, saving nothing", async () => {
    const a = await tenantWithKey(t, 'check-a');
    const b = await tenantWithKey(t, 'check-b');
    const { createConnector: http } = ok(
      await createConnector(t, a.key, { name: 'web', http: { url: 'http://127.0.0.1:9' } }),
    );
    const CHECK =
      'query($c: ID!, $config: JSONObject!) { checkAction(connectorId: $c, config: $config) { valid field message } }';
    const check = async (key: string, config: Record<string, unknown>) =>
      ok(
        await t.gql<{ checkAction: { valid: boolean; field: string | null; message: string | null } }>(
          key,
          CHECK,
          { c: http.id, config },
        ),
      ).checkAction;
    expect(await check(a.key, { path: '/d/${clientid}', body: '${payload}' })).toEqual({
      valid: true,
      field: null,
      message: null,
    });
    const broken = await check(a.key, { path: '/d/${clientid' });
    expect(broken.valid).toBe(false);
    expect(broken.field).toMatch(/^config/);
    expect(broken.message).toMatch(/\$\{/);
    const unknown = await check(a.key, { verb: 'POST' });
    expect(unknown).toMatchObject({ valid: false });
    expect(unknown.message).toMatch(/verb/);
    expect(failure(await t.gql(b.key, CHECK, { c: http.id, config: {} })).code).toBe('NOT_FOUND');
  });
});
