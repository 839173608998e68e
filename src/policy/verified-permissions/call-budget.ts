/**
 * One Verified Permissions call with bounded retries inside a time budget.
 *
 * - Each attempt is aborted after `attemptTimeoutMs` or at the deadline, whichever comes first (the SDK's
 *   `abortSignal`), so a slow answer can never hold a decision past its budget.
 * - Throttling, 5xx and network faults are retried, after a "full jitter" pause (a random wait up to an
 *   exponentially growing cap, https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/),
 *   as long as attempts and time remain. Throttled calls start from a longer cap: retrying at once only adds
 *   to the load that caused it.
 * - Any other error (validation, not found, access denied) is final at once.
 */

export interface Budget {
  /** Total time for the call, retries and pauses included. */
  timeoutMs: number;
  attemptTimeoutMs: number;
  maxAttempts: number;
}

export type CallResult<T> =
  | { ok: true; value: T; attempts: number }
  | { ok: false; retryable: boolean; message: string; name: string; attempts: number; error: unknown };

export interface CallOptions {
  random?: () => number;
  /** Injectable for tests. */
  now?: () => number;
}

const MIN_ATTEMPT_MS = 25;

export async function callWithBudget<T>(call: (signal: AbortSignal) => Promise<T>, budget: Budget, options: CallOptions = {}): Promise<CallResult<T>> {
  const now = options.now ?? (() => performance.now());
  const random = options.random ?? Math.random;
  const deadline = now() + budget.timeoutMs;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const remaining = deadline - now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new AttemptTimeout()), Math.max(1, Math.min(budget.attemptTimeoutMs, remaining)));
    try {
      return { ok: true, value: await call(controller.signal), attempts };
    } catch (error) {
      const kind = classify(error, controller.signal.aborted);
      const failure = { ok: false as const, retryable: kind !== "final", message: describe(error, controller.signal.aborted), name: nameOf(error), attempts, error };
      if (kind === "final" || attempts >= budget.maxAttempts) return failure;
      const cap = (kind === "throttled" ? 200 : 50) * 2 ** (attempts - 1);
      const pause = random() * cap;
      if (deadline - now() - pause < MIN_ATTEMPT_MS) return failure;
      await new Promise((r) => setTimeout(r, pause));
    } finally {
      clearTimeout(timer);
    }
  }
}

class AttemptTimeout extends Error {
  override readonly name = "TimeoutError";
  constructor() {
    super("no answer within the attempt's time budget");
  }
}

const RETRYABLE_NAMES = new Set(["ThrottlingException", "InternalServerException", "ServiceUnavailableException", "TooManyRequestsException", "RequestTimeout", "TimeoutError"]);
const NETWORK_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "ECONNABORTED", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_SOCKET"]);

function classify(error: unknown, aborted: boolean): "throttled" | "retry" | "final" {
  if (aborted) return "retry";
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const status = e?.$metadata?.httpStatusCode;
  if (e?.name === "ThrottlingException" || status === 429 || (e?.$retryable as { throttling?: boolean } | undefined)?.throttling) return "throttled";
  if (RETRYABLE_NAMES.has(e?.name ?? "") || (status !== undefined && status >= 500) || NETWORK_CODES.has(e?.code ?? "")) return "retry";
  // A connection closed without an answer reaches the SDK as a bare error without status or code.
  if (status === undefined && /socket hang up|ECONNRESET|closed|aborted/i.test(String((error as Error)?.message))) return "retry";
  return "final";
}

function nameOf(error: unknown): string {
  return (error as { name?: string })?.name ?? "Error";
}

function describe(error: unknown, aborted: boolean): string {
  if (aborted) return "no answer within the attempt's time budget";
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  return `${e?.name ?? "Error"}${status ? ` (HTTP ${status})` : ""}: ${e?.message ?? String(error)}`;
}
