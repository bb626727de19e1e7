import mqtt from 'mqtt';
import {
  deleteTestStreams,
  eventually,
  freePort,
  HttpTarget,
  SluiceProcess,
  smallStreamLimits,
  sumMetric,
  testNamespace,
  testServers,
  writeSkeletonPipeline,
} from '../support';

const N = 40;

// A known stream of N messages through ingest, rules and delivery as separate processes: each
// service's /metrics must count exactly N, and the consumers must have nothing left waiting.
describe('metrics: /metrics of running services counts a known stream', () => {
  const ns = testNamespace();
  const target = new HttpTarget();
  const services: Record<'ingest' | 'rules' | 'delivery', SluiceProcess | undefined> = {
    ingest: undefined,
    rules: undefined,
    delivery: undefined,
  };
  const tenant = `t${ns.id}`;

  beforeAll(async () => {
    await target.start();
    const pipelineFile = writeSkeletonPipeline(ns, target.url);
    for (const service of ['delivery', 'rules', 'ingest'] as const) {
      services[service] = new SluiceProcess(service, {
        SLUICE_BUS: 'nats',
        SLUICE_NATS_URL: testServers.natsUrl,
        SLUICE_BUS_NAMESPACE: ns.streamPrefix,
        ...smallStreamLimits,
        SLUICE_MQTT_URL: testServers.mqttUrl,
        SLUICE_PIPELINE_FILE: pipelineFile,
        SLUICE_INGEST_CLIENT_ID_PREFIX: `sluice-${ns.id}`,
        SLUICE_HTTP_PORT: String(await freePort()),
      }).start();
    }
    await Promise.all(Object.values(services).map((p) => p!.ready()));
  });

  afterAll(async () => {
    await Promise.all(Object.values(services).flatMap((p) => (p ? [p.stop()] : [])));
    await target.close();
    await deleteTestStreams({ prefix: ns.streamPrefix });
  });

  const scrape = async (service: keyof typeof services) => {
    const response = await fetch(`http://127.0.0.1:${services[service]!.port}/metrics`);
    expect(response.status).toBe(200);
    return response.text();
  };

  it('finds the N messages it sent: stored, matched, delivered, and no consumer with messages waiting', async () => {
    const publisher = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5 });
    try {
      for (let i = 0; i < N; i++) {
        await publisher.publishAsync(`${ns.topicPrefix}sensors/d${i % 4}`, JSON.stringify({ i }), { qos: 1 });
      }
    } finally {
      await publisher.endAsync();
    }
    await eventually(() => expect(target.requests).toHaveLength(N), { timeoutMs: 20_000 });

    const labels = `tenant="${tenant}"`;
    await eventually(async () => {
      const ingest = await scrape('ingest');
      expect(sumMetric(ingest, 'sluice_source_messages_received_total', labels)).toBe(N);
      expect(sumMetric(ingest, 'sluice_source_messages_stored_total', labels)).toBe(N);
      expect(ingest).toContain(`sluice_source_up{tenant="${tenant}",source="devices",kind="mqtt"} 1`);
      const rules = await scrape('rules');
      expect(sumMetric(rules, 'sluice_rule_matched_total', `rule="all-sensors"`)).toBe(N);
      expect(sumMetric(rules, 'sluice_rule_passed_total', `rule="all-sensors"`)).toBe(N);
      const delivery = await scrape('delivery');
      expect(sumMetric(delivery, 'sluice_action_success_total', `action="post"`)).toBe(N);
      expect(sumMetric(delivery, 'sluice_action_failed_total', labels)).toBe(0);
      // read at scrape time: nobody asked /health/ready of the delivery service here
      expect(delivery).toContain(`sluice_connector_up{tenant="${tenant}",connector="webhook",kind="http"} 1`);
    });

    // stream and consumer state, read from JetStream when scraped (cached for 2 s)
    await eventually(
      async () => {
        const rules = await scrape('rules');
        const ruleConsumer = `stream="INGEST",consumer="rules"`;
        expect(rules).toContain(`sluice_consumer_pending_messages{${ruleConsumer}} 0`);
        expect(rules).toContain(`sluice_consumer_ack_pending_messages{${ruleConsumer}} 0`);
        expect(rules).toContain(`sluice_consumer_redelivered_messages{${ruleConsumer}} 0`);
        // JetStream messages may carry several MQTT messages (batch envelopes): at least one, at most N
        const acknowledged = sumMetric(rules, 'sluice_consumer_acknowledged_total', ruleConsumer);
        expect(acknowledged).toBeGreaterThan(0);
        expect(acknowledged).toBeLessThanOrEqual(N);
        expect(sumMetric(rules, 'sluice_consumer_delivered_total', ruleConsumer)).toBe(acknowledged);
        expect(sumMetric(rules, 'sluice_stream_max_bytes', 'stream="INGEST"')).toBe(
          Number(smallStreamLimits.SLUICE_BUS_INGEST_MAX_BYTES),
        );

        const delivery = await scrape('delivery');
        const deliveryConsumer = `stream="ACTIONS",consumer="delivery_${tenant}_webhook"`;
        expect(delivery).toContain(`sluice_consumer_pending_messages{${deliveryConsumer}} 0`);
        expect(delivery).toContain(`sluice_consumer_ack_pending_messages{${deliveryConsumer}} 0`);
        expect(sumMetric(delivery, 'sluice_consumer_acknowledged_total', deliveryConsumer)).toBeGreaterThan(
          0,
        );
      },
      { timeoutMs: 10_000 },
    );
  });

  it('a dead target shows in sluice_connector_up and leaves every service ready', async () => {
    target.status = 503;
    const publisher = await mqtt.connectAsync(testServers.mqttUrl, { protocolVersion: 5 });
    try {
      for (let i = 0; i < 10; i++) {
        await publisher.publishAsync(`${ns.topicPrefix}sensors/down`, JSON.stringify({ i }), { qos: 1 });
      }
    } finally {
      await publisher.endAsync();
    }
    await eventually(
      async () =>
        expect(sumMetric(await scrape('delivery'), 'sluice_connector_up', 'connector="webhook"')).toBe(0),
      { timeoutMs: 20_000 },
    );
    // readiness is "this process can do its own work": a tenant's target being down is not part of it
    for (const service of ['ingest', 'rules', 'delivery'] as const) {
      const response = await fetch(`http://127.0.0.1:${services[service]!.port}/health/ready`);
      expect(`${service} ${response.status}`).toBe(`${service} 200`);
    }
    target.status = 200;
  });
});
