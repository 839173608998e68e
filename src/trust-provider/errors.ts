/** The trust provider cannot start: a config or key problem, reported once at cold start. */
export class TrustProviderConfigError extends Error {
  override readonly name = "TrustProviderConfigError";
}

/** The state store could not be reached or refused a request: a server-side fault, never a client's error. */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
}
