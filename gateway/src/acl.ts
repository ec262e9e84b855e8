/**
 * Who may publish and subscribe where, derived from the topic table in firmware-protocol (no topic
 * strings are spelled here). A device touches only its own subtree, in the direction the table says;
 * the server reads everything and writes only the server -> device topics.
 */
import { DEVICE_PUBLISHES, DEVICE_SUBSCRIBES, deviceTopic, parseDeviceTopic, RETAINED_TOPIC_KINDS } from '@wastetrail/firmware-protocol';

/** A connected client's identity once authenticated. */
export type Session = { role: 'device'; device: string; kid: string } | { role: 'server'; username: string };

// Retained kinds (status: birth and will; acks: a reconnecting agent learns at once where to resume)
// come from the topic table; a retain flag anywhere else is cleared, so no stale record or command is
// replayed to a new subscriber.
export { RETAINED_TOPIC_KINDS };

export function mayPublish(session: Session, topic: string): boolean {
  if (session.role === 'device') return DEVICE_PUBLISHES.some((kind) => deviceTopic(session.device, kind) === topic);
  const parsed = parseDeviceTopic(topic);
  return parsed !== undefined && DEVICE_SUBSCRIBES.includes(parsed.kind);
}

/** Devices subscribe to exactly their own acks and commands topics (no wildcards); the server to anything. */
export function maySubscribe(session: Session, topicFilter: string): boolean {
  if (session.role === 'server') return true;
  return DEVICE_SUBSCRIBES.some((kind) => deviceTopic(session.device, kind) === topicFilter);
}

export function mayRetain(topic: string): boolean {
  const parsed = parseDeviceTopic(topic);
  return parsed !== undefined && RETAINED_TOPIC_KINDS.includes(parsed.kind);
}

/** A will the broker publishes for a client that vanished: only ever a device's own status topic. */
export function mayBeWill(session: Session | undefined, topic: string): boolean {
  const parsed = parseDeviceTopic(topic);
  if (parsed === undefined || parsed.kind !== 'status') return false;
  return session === undefined || (session.role === 'device' && session.device === parsed.device);
}
