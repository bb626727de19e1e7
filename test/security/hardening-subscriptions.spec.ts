import WebSocket from 'ws';
import { eventually } from '../support';
import { AttackedSluice } from './tenancy-support';

// Findings: a ruleTrace subscription kept streaming after its key was revoked; WebSocket
// connections that never authenticated stayed open.
interface Socket {
  ws: WebSocket;
  closed: Promise<{ code: number; at: number }>;
  messages: { type: string }[];
}

function open(url: string): Promise<Socket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
  const messages: { type: string }[] = [];
  ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString()) as { type: string }));
  const closed = new Promise<{ code: number; at: number }>((resolve) =>
    ws.on('close', (code) => resolve({ code, at: Date.now() })),
  );
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, closed, messages }));
    ws.once('error', reject);
  });
}

describe('attack: WebSocket subscriptions without a (valid) key', () => {
  let sluice: AttackedSluice;

  beforeAll(async () => {
    sluice = await AttackedSluice.start('subscriptions');
  });
  afterAll(async () => {
    await sluice?.stop();
  });

  it('a connection without a key is closed at connection_init (4403)', async () => {
    const socket = await open(sluice.url);
    socket.ws.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    expect((await socket.closed).code).toBe(4403);
  });

  it('a connection that never authenticates is closed (4408)', async () => {
    const socket = await open(sluice.url);
    expect((await socket.closed).code).toBe(4408);
  }, 20_000);

  it('revoking a key ends its open ruleTrace subscription within a second', async () => {
    const tenant = await sluice.tenant('traced');
    const { createRule } = await sluice.data<{ createRule: { id: string } }>(
      tenant.key,
      'mutation($i: CreateRuleInput!) { createRule(input: $i) { id } }',
      { i: { name: 'watched', sql: 'SELECT * FROM "t/#"' } },
    );
    const { apiKeys } = await sluice.data<{ apiKeys: { nodes: { id: string }[] } }>(
      sluice.adminKey,
      'query($t: ID) { apiKeys(tenantId: $t) { nodes { id } } }',
      { t: tenant.id },
    );
    const socket = await open(sluice.url);
    socket.ws.send(
      JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${tenant.key}` } }),
    );
    await eventually(() => expect(socket.messages.map((m) => m.type)).toContain('connection_ack'));
    socket.ws.send(
      JSON.stringify({
        id: '1',
        type: 'subscribe',
        payload: {
          query: 'subscription($r: ID!) { ruleTrace(ruleId: $r) { topic } }',
          variables: { r: createRule.id },
        },
      }),
    );
    const revokedAt = Date.now();
    await sluice.data(
      sluice.adminKey,
      'mutation($id: ID!, $t: ID) { revokeApiKey(id: $id, tenantId: $t) { id } }',
      {
        id: apiKeys.nodes[0]!.id,
        t: tenant.id,
      },
    );
    const closed = await socket.closed;
    expect(closed.code).toBe(4403);
    expect(closed.at - revokedAt).toBeLessThan(1_500);
  });
});
