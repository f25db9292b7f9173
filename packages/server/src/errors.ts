/** The one error base class: a stable `code` (documented in docs/errors.md), HTTP status, retryability. */
import { ERRORS, type ErrorCode, type FieldIssue } from '@liveface/protocol';

/** An error with a stable code; mapped to HTTP in http/errors.ts and to WS events in lite/gateway.ts. */
export class LivefaceError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly field: string | undefined;
  readonly issues: FieldIssue[] | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    opts: { cause?: unknown; retryable?: boolean; field?: string; issues?: FieldIssue[] } = {},
  ) {
    super(message ?? ERRORS[code].message, { cause: opts.cause });
    this.name = 'LivefaceError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.retryable = opts.retryable ?? this.status >= 500;
    this.field = opts.field;
    this.issues = opts.issues;
  }
}

/** Turns zod issues into one error that names every bad field. */
export function invalidRequest(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  where = 'body',
): LivefaceError {
  const list = issues.map((i) => ({
    field: i.path.length ? i.path.map(String).join('.') : where,
    message: i.message,
  }));
  const message = list.map((i) => `${i.field}: ${i.message}`).join('; ');
  return new LivefaceError('invalid_request', `Invalid ${where}: ${message}`, {
    field: list[0]?.field,
    issues: list,
  });
}
