/**
 * Ingest's side of the broker: the subscriptions, and backpressure. MQTT.js reads the next packet only
 * after `handleMessage` calls back; holding that callback while too many records wait to be linked
 * pauses the broker's deliveries (TCP backpressure) instead of queueing without bound.
 */
import { allDevicesTopic, sharedSubscription } from '@wastetrail/firmware-protocol';
import type { MqttClient } from 'mqtt';

/** What ingest uses of an MQTT.js client to receive. */
export type DeliveryClient = Pick<MqttClient, 'handleMessage' | 'on' | 'once' | 'removeListener' | 'connected' | 'subscribeAsync'>;

export type MessageListener = (topic: string, payload: Buffer) => void;

/**
 * Records and status, shared between the processes of a group if there is one. A group also reads
 * every ack (not shared): another process's ack says the store moved past a gap this one waits on.
 */
export function ingestTopics(sharedGroup: string | undefined): string[] {
  if (!sharedGroup) return [allDevicesTopic('records'), allDevicesTopic('status')];
  return [sharedSubscription(sharedGroup, 'records'), sharedSubscription(sharedGroup, 'status'), allDevicesTopic('acks')];
}

export class Deliveries {
  private readonly client: DeliveryClient;
  private readonly maxQueued: number;
  /** Records waiting to be linked now. */
  private readonly queued: () => number;
  /** Deliveries held until the queue shrinks. */
  private paused: Array<() => void> = [];
  private original: MqttClient['handleMessage'] | undefined;
  private listener: MessageListener | undefined;
  private closed = false;

  constructor(client: DeliveryClient, maxQueuedRecords: number, queued: () => number) {
    this.client = client;
    this.maxQueued = maxQueuedRecords;
    this.queued = queued;
  }

  /** Deliveries held now (tests). */
  get held(): number {
    return this.paused.length;
  }

  /** Starts taking messages (with backpressure); resolves once the client is connected. */
  async listen(listener: MessageListener): Promise<void> {
    const c = this.client;
    this.original = c.handleMessage;
    c.handleMessage = (_packet, callback) => {
      if (this.closed || this.queued() < this.maxQueued) callback();
      else this.paused.push(() => callback());
    };
    this.listener = listener;
    c.on('message', listener);
    if (!c.connected) await new Promise<void>((resolve) => c.once('connect', () => resolve()));
  }

  /** Subscribes with QoS 1; throws when the broker refuses a topic. */
  async subscribe(topics: string[]): Promise<void> {
    const granted = await this.client.subscribeAsync(topics, { qos: 1 });
    const refused = granted.filter((g) => g.qos !== 0 && g.qos !== 1);
    if (refused.length > 0) throw new Error(`the broker refused the subscription to ${refused.map((g) => g.topic).join(', ')}`);
  }

  /** After the queue shrank: lets held deliveries go once it is below half the limit. */
  resume(): void {
    if (this.paused.length === 0 || this.queued() >= this.maxQueued / 2) return;
    for (const resume of this.paused.splice(0)) resume();
  }

  /** Stops taking messages and gives the client back as it was; held deliveries go (and are dropped unacknowledged). */
  close(): void {
    this.closed = true;
    if (this.listener) this.client.removeListener('message', this.listener);
    if (this.original) this.client.handleMessage = this.original;
    for (const resume of this.paused.splice(0)) resume();
  }
}
