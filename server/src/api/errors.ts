/**
 * Every error the HTTP API answers with: a stable code, its HTTP status and what it means. Clients
 * (the web UI, scripts, other systems) branch on `code`, never on the message or the status alone.
 * The body is always {"error": {"code", "message", "field"?}}. docs/server/api.md lists them.
 */
export const API_ERRORS = {
  VALIDATION_FAILED: { status: 400, meaning: 'a parameter, query field or body field is missing or invalid; `field` names it' },
  MALFORMED_REQUEST: { status: 400, meaning: 'the request cannot be read (e.g. a body that is not JSON)' },
  LABEL_INVALID: { status: 400, meaning: 'the bag label text does not decode (a mistyped or swapped character, a bad field)' },
  NOTE_REQUIRED: { status: 400, meaning: 'resolving an alert needs a note saying what was done; confirming one as a violation, a note saying why' },
  LOG_RANGE_INVALID: { status: 400, meaning: 'a proof was asked for leaves or tree sizes the log cannot prove: an index not below the size, a size beyond the log, sizes that shrink or start at 0' },
  COSIGNATURE_INVALID: { status: 400, meaning: "a submitted cosignature is not a signed note with a witness's cosignature line, or a configured witness's cosignature does not verify over the checkpoint" },
  UNKNOWN_VIOLATION: { status: 400, meaning: 'no such violation type in the points table (GET /api/v1/supervision/violations lists them)' },
  INVALID_INSPECTION: { status: 400, meaning: 'an inspection result that does not hold together: a pass with findings, violations without, an unknown inspector or draw' },
  PAGE_TOKEN_INVALID: { status: 400, meaning: 'the nextPageToken was not made by this server for this user and query (altered, forged, from another server or from before a restart)' },
  CURSOR_AHEAD: { status: 400, meaning: 'a change-feed cursor beyond the newest change: not a cursor this feed gave' },
  UNAUTHENTICATED: { status: 401, meaning: 'no valid session: log in (POST /api/v1/session) and send the cookie or the bearer token' },
  INVALID_CREDENTIALS: { status: 401, meaning: 'unknown username or wrong password' },
  FORBIDDEN: { status: 403, meaning: 'the role or scope of this user does not allow it' },
  UNKNOWN_WITNESS: { status: 403, meaning: 'the submitted note carries no cosignature by a witness in verifiableLog.witnesses' },
  NOT_FOUND: { status: 404, meaning: 'no such route' },
  BAG_NOT_FOUND: { status: 404, meaning: 'no record names this bag, tag or label' },
  ALERT_NOT_FOUND: { status: 404, meaning: 'no such alert' },
  INSTITUTION_NOT_FOUND: { status: 404, meaning: 'no such institution' },
  DEVICE_NOT_FOUND: { status: 404, meaning: 'no such device' },
  DRAW_NOT_FOUND: { status: 404, meaning: 'no such inspection draw' },
  MANIFEST_NOT_FOUND: { status: 404, meaning: 'no record names this transfer manifest' },
  VEHICLE_NOT_FOUND: { status: 404, meaning: 'no registered vehicle has this plate' },
  TRANSIT_NOT_FOUND: { status: 404, meaning: 'no transit leg to show: the bag was never picked up by a vehicle, or the manifest names no bag the caller may see' },
  LOG_TILE_NOT_FOUND: { status: 404, meaning: 'the verifiable log holds no such tile or entry bundle (yet) at that width, or the path is not in the tlog-tiles layout' },
  SUBSCRIPTION_NOT_FOUND: { status: 404, meaning: 'no such webhook subscription of this user' },
  BADGE_TAKEN: { status: 409, meaning: "the badge is in another institution's staff registry: a card belongs to one institution (that institution's admin withdraws it first)" },
  ALREADY_ACKNOWLEDGED: { status: 409, meaning: 'the alert was acknowledged already' },
  ALREADY_RESOLVED: { status: 409, meaning: 'the alert was resolved already' },
  ALREADY_CONFIRMED: { status: 409, meaning: 'the alert was confirmed as a violation already (one confirmation per alert)' },
  NOT_ABOUT_AN_INSTITUTION: { status: 409, meaning: 'the alert names no institution, so no institution can be given points for it' },
  DRAW_ALREADY_RUN: { status: 409, meaning: 'the inspection draw was drawn already; its result stands' },
  NOT_ENOUGH_INSPECTORS: { status: 409, meaning: 'an institution of the draw has fewer inspectors without a conflict than each pick needs' },
  UNKNOWN_CHECKPOINT: { status: 409, meaning: 'a cosignature was submitted for a checkpoint this log did not sign (no checkpoint of that size, or another text)' },
  PAGE_TOKEN_EXPIRED: { status: 410, meaning: 'the nextPageToken has expired: run the query again from its first page' },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'the request body is too large' },
  URI_TOO_LONG: { status: 414, meaning: 'a segment of the path is too long (over 1024 characters)' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'send JSON (Content-Type: application/json)' },
  RATE_LIMITED: { status: 429, meaning: 'too many attempts: wait (Retry-After) and try again' },
  INTERNAL: { status: 500, meaning: 'the server failed; the log has the details' },
  NOT_AVAILABLE: { status: 503, meaning: 'this server does not provide it (e.g. ingest statistics without ingest)' },
  OVERLOADED: { status: 503, meaning: 'the server is overloaded (its event loop lags or memory runs high) and refuses work for now: wait (Retry-After) and try again' },
  SHUTTING_DOWN: { status: 503, meaning: 'the server is shutting down: wait (Retry-After) and try again, here or at another instance' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;
export const API_ERROR_CODES = Object.keys(API_ERRORS) as ApiErrorCode[];

export interface ApiErrorBody {
  /** `requestId`: on INTERNAL, the id the log lines about the failure carry (also in the x-request-id header). */
  error: { code: ApiErrorCode; message: string; field?: string; requestId?: string };
}

/** Thrown by handlers and hooks; the app's error handler turns it into the uniform body. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly statusCode: number;
  readonly field: string | undefined;
  /** Extra response headers (Retry-After). */
  readonly headers: Record<string, string>;
  readonly requestId: string | undefined;

  constructor(code: ApiErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.statusCode = API_ERRORS[code].status;
    this.field = options.field;
    this.headers = options.headers ?? {};
    this.requestId = options.requestId;
  }

  body(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field !== undefined ? { field: this.field } : {}), ...(this.requestId !== undefined ? { requestId: this.requestId } : {}) } };
  }
}

interface ApiErrorOptions {
  field?: string;
  headers?: Record<string, string>;
  requestId?: string;
}

export const apiError = (code: ApiErrorCode, message: string, options?: ApiErrorOptions) => new ApiError(code, message, options);

interface AjvError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/**
 * Fastify's validation error (Ajv) as VALIDATION_FAILED naming the field: `query.limit`,
 * `body.password`, `params.id`.
 */
export function validationError(validation: readonly AjvError[], context: string | undefined): ApiError {
  const first = validation[0] ?? {};
  const where = context === 'querystring' ? 'query' : (context ?? 'request');
  const path = (first.instancePath ?? '').split('/').filter((p) => p !== '');
  const missing = first.params?.missingProperty;
  const extra = first.params?.additionalProperty;
  if (typeof missing === 'string') path.push(missing);
  else if (typeof extra === 'string') path.push(extra);
  const field = [where, ...path].join('.');
  let message = first.message ?? 'is invalid';
  if (typeof missing === 'string') message = 'is required';
  else if (typeof extra === 'string') message = 'is not a known field';
  else if (first.keyword === 'enum' && Array.isArray(first.params?.allowedValues)) message = `must be one of ${(first.params.allowedValues as unknown[]).join(', ')}`;
  return new ApiError('VALIDATION_FAILED', `${field} ${message}`, { field });
}

/** Fastify's own errors (body parsing, content type, 404s) as API codes. */
export function fromFastifyError(err: { code?: string; statusCode?: number; message: string }): ApiError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('PAYLOAD_TOO_LARGE', err.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE', err.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_BAD_URL':
      return new ApiError('MALFORMED_REQUEST', err.message);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ApiError('URI_TOO_LONG', 'a segment of the path is too long');
  }
  if (err.statusCode === 400) return new ApiError('MALFORMED_REQUEST', err.message);
  if (err.statusCode === 404) return new ApiError('NOT_FOUND', err.message);
  if (err.statusCode === 413) return new ApiError('PAYLOAD_TOO_LARGE', err.message);
  if (err.statusCode === 414) return new ApiError('URI_TOO_LONG', err.message);
  if (err.statusCode === 415) return new ApiError('UNSUPPORTED_MEDIA_TYPE', err.message);
  return undefined;
}
