import { hash, randomBytes, randomUUID } from 'node:crypto';

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
  private readonly uses = new Uint32Array(65536);
  /** `source key \0 client id \0 epoch`: the start of every hashed input of this session. */
  private prefix: Buffer;

  constructor(
    private readonly sourceKey: string,
    private readonly clientId: string,
  ) {
    this.prefix = this.newPrefix();
  }

  /** Called on each CONNACK: without a session there is nothing to redeliver, so start afresh. */
  onSession(sessionPresent: boolean): void {
    if (sessionPresent) return;
    this.prefix = this.newPrefix();
    this.uses.fill(0);
  }

  /** QoS 0 is never redelivered: a random id. */
  idFor(qos: 0 | 1 | 2, packetId: number | undefined, topic: string, payload: Buffer): string {
    if (qos === 0 || packetId === undefined) return randomUUID();
    // why one buffer and one-shot hash(): half the CPU of a Hash object fed piece by piece (same digest)
    const prefix = this.prefix;
    const input = Buffer.allocUnsafe(prefix.length + 9 + Buffer.byteLength(topic) + payload.length);
    let at = prefix.copy(input, 0);
    at = input.writeUInt16BE(packetId, at);
    at = input.writeUInt32BE(this.uses[packetId] ?? 0, at);
    at = input.writeUInt16BE(qos, at);
    at += input.write(topic, at, 'utf8');
    at = input.writeUInt8(0, at);
    payload.copy(input, at);
    return hash('sha256', input, 'base64url').slice(0, 32);
  }

  /** Called when our PUBACK/PUBREC for `packetId` goes out: the broker may now reuse the id. */
  acknowledged(packetId: number): void {
    this.uses[packetId] = (this.uses[packetId] ?? 0) + 1;
  }

  private newPrefix(): Buffer {
    return Buffer.concat([Buffer.from(`${this.sourceKey}\0${this.clientId}\0`), randomBytes(8)]);
  }
}
