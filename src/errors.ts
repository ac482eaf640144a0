/**
 * One error module. Every error the application raises on purpose is an AppError with a stable
 * snake_case `code`; handlers decide what to show from the class, never from the message text.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input from a person: the message is safe to show back to them. */
export class UserInputError extends AppError {
  constructor(message: string) {
    super('user_input', message);
  }
}

/** Bad configuration: lists every bad key, never a secret's value. */
export class ConfigError extends AppError {
  constructor(readonly problems: string[]) {
    super('config_invalid', `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** The clicker or caller may not do this. The message is safe to show. */
export class NotAuthorizedError extends AppError {
  constructor(message: string) {
    super('not_authorized', message);
  }
}

export type UpstreamService = 'harbor' | 'registry' | 'kubernetes' | 'slack' | 'database' | 'redis';

/** A non-2xx answer, a timeout or a connection failure from a service we call. */
export class UpstreamError extends AppError {
  readonly service: UpstreamService;
  readonly status: number | null;
  readonly method: string;
  readonly path: string;
  readonly retryable: boolean;
  readonly detail: string;
  /** What to do about it, when the failure itself says (an untrusted or expired TLS certificate). */
  readonly hint?: string;
  readonly retryAfterMs?: number;

  constructor(init: {
    service: UpstreamService;
    status: number | null;
    method: string;
    path: string;
    detail: string;
    retryable?: boolean;
    hint?: string;
    /** How long the upstream asked us to wait (Retry-After on 429/503). */
    retryAfterMs?: number;
    cause?: unknown;
  }) {
    const what = init.status === null ? init.detail : `${init.status} ${init.detail}`;
    super('upstream_error', `${init.service} ${init.method} ${init.path}: ${what}`, { cause: init.cause });
    this.service = init.service;
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.detail = init.detail;
    this.hint = init.hint;
    this.retryAfterMs = init.retryAfterMs;
    this.retryable = init.retryable ?? (init.status === null || init.status === 429 || init.status >= 500);
  }

  /** True when the service could not be reached or did not answer in time. */
  get unreachable(): boolean {
    return this.status === null;
  }

  get forbidden(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
