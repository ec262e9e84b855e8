// The HTTP API (fastify): buildApp for the composition root, the error catalogue for clients and docs.
export { buildApp, type ApiInstance, type AppDeps } from './app.ts';
export { API_ERROR_CODES, API_ERRORS, ApiError, type ApiErrorBody, type ApiErrorCode } from './errors.ts';
