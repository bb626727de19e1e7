import { createHash, randomBytes, randomUUID } from 'node:crypto';

/**
 * Derives message ids for one MQTT connection so that a redelivery of an unacknowledged message
 * gets the id of its first delivery (the rule and its limits are in docs/sources.md):
 *
 *   id = sha256(source key, client id, session epoch, packet id, uses of that packet id, topic, payload)
 *
 * The broker resends an unacknowledged PUBLISH with its original packet id; the packet id is free
 * for another message only after our acknowledgement, so counting acknowledgements per packet id
 * separates two messages that share a packet id, topic and payload. The epoch is renewed whenever
 * the broker has no session for us (nothing can be redelivered then) and in every new process.
 */
export class DeliveryIds {
  private epoch = randomBytes(8);
  private readonly uses = new Uint32Array(65536);

  constructor(
    private readonly sourceKey: string,
    private readonly clientId: string,
  ) {}

  /** Called on each CONNACK: without a session there is nothing to redeliver, so start afresh. */
  onSession(sessionPresent: boolean): void {
    if (sessionPresent) return;
    this.epoch = randomBytes(8);
    this.uses.fill(0);
  }

  /** QoS 0 is never redelivered: a random id. */
  idFor(qos: 0 | 1 | 2, packetId: number | undefined, topic: string, payload: Buffer): string {
    if (qos === 0 || packetId === undefined) return randomUUID();
    const head = Buffer.allocUnsafe(8);
    head.writeUInt16BE(packetId, 0);
    head.writeUInt32BE(this.uses[packetId] ?? 0, 2);
    head.writeUInt16BE(qos, 6);
    return createHash('sha256')
      .update(this.sourceKey)
      .update('\0')
      .update(this.clientId)
      .update('\0')
      .update(this.epoch)
      .update(head)
      .update(topic)
      .update('\0')
      .update(payload)
      .digest('base64url')
      .slice(0, 32);
  }

  /** Called when our PUBACK/PUBREC for `packetId` goes out: the broker may now reuse the id. */
  acknowledged(packetId: number): void {
    this.uses[packetId] = (this.uses[packetId] ?? 0) + 1;
  }
}
