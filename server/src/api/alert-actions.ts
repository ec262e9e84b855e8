/**
 * Acknowledge and resolve, as the alert routes reach them: the alert book decides (server/src/alerting,
 * over server/src/alerts/lifecycle.ts). The running alerting service is used when the composition root
 * passes it (AppDeps.alerts: its notifications then follow people's actions too); otherwise the book's
 * actions are applied on their own, over the same store.
 */
import { alertActions, type AlertActions } from '../alerting/index.ts';
import type { AppDeps } from './context.ts';

export type { AlertActionErrorCode, AlertActionOutcome, AlertActions } from '../alerting/index.ts';

export function alertActionsOf(deps: AppDeps): AlertActions {
  return deps.alerts ?? alertActions({ store: deps.store, clock: deps.clock });
}
