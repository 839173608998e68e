/** The trust provider cannot start: a config or key problem, reported once at cold start. */
export class TrustProviderConfigError extends Error {
  override readonly name = "TrustProviderConfigError";
}
