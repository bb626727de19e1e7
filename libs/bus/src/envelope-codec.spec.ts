import {
  BATCH_HEADER,
  ComponentState,
  decodeComponentStatus,
  encodeComponentStatus,
  decodeActionRequest,
  decodeActionRequestBatch,
  decodeDeadLetter,
  decodeIngestBatch,
  decodeIngestEnvelope,
  encodeActionRequest,
  encodeActionRequestBatch,
  encodeDeadLetter,
  encodeIngestBatch,
  encodeIngestEnvelope,
  type ActionRequest,
  type IngestEnvelope,
} from '@sluice/bus';

function fullEnvelope(id = 'msg-1'): IngestEnvelope {
  return {
    id,
    tenant: 'acme',
    source: 'plant-a',
    topic: 'sensors/d1/temp',
    payload: Buffer.from([0, 1, 2, 250, 255]),
    qos: 2,
    retain: true,
    payloadFormatIndicator: true,
    messageExpiryInterval: 3600,
    contentType: 'application/json',
    responseTopic: 'replies/d1',
    correlationData: Buffer.from('corr-42'),
    // MQTT 5 allows repeated keys; order is part of the message
    userProperties: [
      { key: 'site', value: 'north' },
      { key: 'tag', value: 'a' },
      { key: 'tag', value: 'b' },
    ],
    clientid: 'device-1',
    username: 'alice',
    peerhost: '10.0.0.7',
    receivedAt: 1_763_771_000_123,
    trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'x=1' },
  };
}

function fullRequest(id = 'msg-1:r1:0:a1'): ActionRequest {
  return {
    id,
    tenant: 'acme',
    ruleId: 'r1',
    actionId: 'a1',
    connectorId: 'http-1',
    data: Buffer.from('{"temp":31.5}'),
    sourceMessageId: 'msg-1',
    createdAt: 1_763_771_000_456,
    trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
  };
}

describe('envelope codec', () => {
  it('round-trips every field of an ingested message', () => {
    const envelope = fullEnvelope();
    expect(decodeIngestEnvelope(encodeIngestEnvelope(envelope))).toEqual(envelope);
  });

  it('keeps absent MQTT 5 properties apart from zero values', () => {
    const absent = decodeIngestEnvelope(
      encodeIngestEnvelope({
        ...fullEnvelope(),
        payloadFormatIndicator: undefined,
        messageExpiryInterval: undefined,
        contentType: undefined,
        responseTopic: undefined,
        correlationData: undefined,
      }),
    );
    expect(absent.payloadFormatIndicator).toBeUndefined();
    expect(absent.messageExpiryInterval).toBeUndefined();
    expect(absent.contentType).toBeUndefined();
    expect(absent.correlationData).toBeUndefined();
    const zero = decodeIngestEnvelope(
      encodeIngestEnvelope({
        ...fullEnvelope(),
        payloadFormatIndicator: false,
        messageExpiryInterval: 0,
        contentType: '',
      }),
    );
    expect(zero.payloadFormatIndicator).toBe(false);
    expect(zero.messageExpiryInterval).toBe(0);
    expect(zero.contentType).toBe('');
  });

  it('writes the protobuf wire format (field 1, length-delimited)', () => {
    const minimal = { ...fullEnvelope('a'), tenant: '', source: '', topic: '', payload: Buffer.alloc(0) };
    const bytes = encodeIngestEnvelope({
      ...minimal,
      qos: 0,
      retain: false,
      payloadFormatIndicator: undefined,
      messageExpiryInterval: undefined,
      contentType: undefined,
      responseTopic: undefined,
      correlationData: undefined,
      userProperties: [],
      clientid: '',
      username: '',
      peerhost: '',
      receivedAt: 0,
      trace: {},
    });
    // tag = (1 << 3) | 2 = 0x0a, length 1, 'a' = 0x61; proto3 omits default values
    expect([...bytes]).toEqual([0x0a, 0x01, 0x61]);
  });

  it('round-trips a batch of ingested messages, each with its own id', () => {
    const batch = [fullEnvelope('m1'), fullEnvelope('m2'), fullEnvelope('m3')];
    const decoded = decodeIngestBatch(encodeIngestBatch(batch));
    expect(decoded.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    expect(decoded).toEqual(batch);
    expect(BATCH_HEADER).toBe('Sluice-Batch');
  });

  it('round-trips every field of an action request and a batch of them', () => {
    const request = fullRequest();
    expect(decodeActionRequest(encodeActionRequest(request))).toEqual(request);
    const batch = [fullRequest('x:1'), fullRequest('x:2')];
    expect(decodeActionRequestBatch(encodeActionRequestBatch(batch))).toEqual(batch);
  });

  it('round-trips a dead letter, defaulting the first failure to the last', () => {
    const request = fullRequest();
    const letter = decodeDeadLetter(
      encodeDeadLetter({
        request,
        errorCode: 'HTTP_503',
        errorMessage: 'target unavailable',
        attempts: 5,
        firstFailedAt: 1000,
        failedAt: 9000,
        raw: new Uint8Array([9, 8]),
      }),
    );
    expect(letter).toEqual({
      request,
      errorCode: 'HTTP_503',
      errorMessage: 'target unavailable',
      attempts: 5,
      firstFailedAt: 1000,
      failedAt: 9000,
      raw: Buffer.from([9, 8]),
    });
    const short = decodeDeadLetter(
      encodeDeadLetter({ errorCode: 'X', errorMessage: 'y', attempts: 1, failedAt: 77 }),
    );
    expect(short.request).toBeUndefined();
    expect(short.firstFailedAt).toBe(77);
    expect(short.raw.length).toBe(0);
  });

  it('round-trips a component status', () => {
    const status = {
      tenant: 'acme',
      kind: 'connector',
      id: 'http-1',
      state: ComponentState.COMPONENT_STATE_FAILED,
      reason: 'ECONNREFUSED 127.0.0.1:9',
      node: 'delivery@host-1',
      at: 1_763_771_000_789,
      ttlMs: 30_000,
      gone: false,
    };
    expect(decodeComponentStatus(encodeComponentStatus(status))).toEqual(status);
    expect(ComponentState.COMPONENT_STATE_CONNECTED).toBe(2);
  });

  it('rejects bytes that are not an envelope with BUS_ENVELOPE_INVALID', () => {
    // field 1 claims 100 bytes but the buffer ends after 1
    const truncated = new Uint8Array([0x0a, 0x64, 0x61]);
    expect(() => decodeIngestEnvelope(truncated)).toThrow(
      expect.objectContaining({ code: 'BUS_ENVELOPE_INVALID' }),
    );
    expect(() => decodeActionRequest(truncated)).toThrow(/cannot decode ActionRequest/);
  });
});
