/**
 * Why a CONNECT was refused, and the MQTT 3.1.1 CONNACK return code each reason gets.
 *
 * 4 "bad user name or password": these credentials can never work; the client should build new ones
 *   (a fresh token from a correct clock, the right key, the right server password).
 * 5 "not authorized": the credentials may be fine but this identity may not connect; an operator has to
 *   act (provision the device, issue a new key). Anonymous clients get 5 as well, as with Mosquitto.
 * 2 "identifier rejected": the client id is not one this identity may use (a device's client id must be
 *   its device id; the server's must not look like a device id, so it can never be taken over).
 * 3 "server unavailable": the gateway could not decide (an internal error), or the source address is
 *   locked out after too many failed CONNECTs (try again later).
 */
import type { DeviceAuthFailure } from '@wastetrail/firmware-protocol';

export const CONNACK_ACCEPTED = 0;
export const CONNACK_IDENTIFIER_REJECTED = 2;
export const CONNACK_SERVER_UNAVAILABLE = 3;
export const CONNACK_BAD_USERNAME_OR_PASSWORD = 4;
export const CONNACK_NOT_AUTHORIZED = 5;
export type ConnackRefusalCode = 2 | 3 | 4 | 5;

export const AUTH_FAILURE_REASONS = [
  'anonymous',
  'malformed_token',
  'client_id_mismatch',
  'unknown_device',
  'token_expired',
  'key_revoked',
  'bad_signature',
  'server_bad_password',
  'server_client_id',
  'internal_error',
  'throttled',
] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

export const CONNACK_FOR_AUTH_FAILURE: Readonly<Record<AuthFailureReason, ConnackRefusalCode>> = {
  anonymous: CONNACK_NOT_AUTHORIZED,
  malformed_token: CONNACK_BAD_USERNAME_OR_PASSWORD,
  client_id_mismatch: CONNACK_IDENTIFIER_REJECTED,
  unknown_device: CONNACK_NOT_AUTHORIZED,
  token_expired: CONNACK_BAD_USERNAME_OR_PASSWORD,
  key_revoked: CONNACK_NOT_AUTHORIZED,
  bad_signature: CONNACK_BAD_USERNAME_OR_PASSWORD,
  server_bad_password: CONNACK_BAD_USERNAME_OR_PASSWORD,
  server_client_id: CONNACK_IDENTIFIER_REJECTED,
  internal_error: CONNACK_SERVER_UNAVAILABLE,
  throttled: CONNACK_SERVER_UNAVAILABLE,
};

const FROM_DEVICE_AUTH: Readonly<Record<DeviceAuthFailure, AuthFailureReason>> = {
  MALFORMED_TOKEN: 'malformed_token',
  CLIENT_ID_MISMATCH: 'client_id_mismatch',
  UNKNOWN_DEVICE: 'unknown_device',
  TOKEN_EXPIRED: 'token_expired',
  KEY_REVOKED: 'key_revoked',
  BAD_SIGNATURE: 'bad_signature',
};

export function deviceAuthFailureReason(failure: DeviceAuthFailure): AuthFailureReason {
  return FROM_DEVICE_AUTH[failure];
}
