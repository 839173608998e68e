import { z } from "zod";

/**
 * `policy:` when `engine: verified-permissions`. Kept beside the engines that read it; src/config/schema.ts
 * only plugs it into the config document.
 *
 * Time budgets fit the authorizer: a decision has `limits.decisionTimeoutMs` (4 s by default, inside the 6 s
 * Lambda timeout of serverless.yml), of which a user-key and a device-key fetch may take `jwks.timeoutMs`
 * each (1.5 s by default) and 250 ms are kept for the rest (src/config/budgets.ts, checked at load). So one
 * decision's Verified Permissions calls get 750 ms by default, retries included (an in-region IsAuthorized
 * answers in tens of ms), and the decision is an `error` (deny) when the budget runs out.
 */

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/;

/** Verified Permissions namespaces: `::`-separated identifiers; AVP refuses `aws`, `amazon`, `cedar` and "". */
const namespace = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$/, "a Cedar namespace such as `ZtPdp` or `Acme::Authz`")
  .refine((ns) => !["aws", "amazon", "cedar"].includes(ns.split("::")[0]!.toLowerCase()), {
    message: "Verified Permissions reserves the namespaces aws, amazon and cedar",
  });

export const avpPolicySourceSchema = z.strictObject({
  engine: z.literal("verified-permissions"),
  /** `remote`: one IsAuthorized per decision. `mirror`: the store is copied at cold start and evaluated locally. */
  mode: z.enum(["remote", "mirror"]).default("remote"),
  /** Policy store id (or `policy-store-alias/<name>`), https://docs.aws.amazon.com/verifiedpermissions/latest/apireference/API_IsAuthorized.html */
  policyStoreId: z.string().regex(/^[a-zA-Z0-9-/_]{1,200}$/),
  /** Defaults to the Lambda's own region (AWS_REGION). */
  region: z.string().min(1).optional(),
  /**
   * Another endpoint: a VPC interface endpoint (https), or the local endpoint of `npm start` and the tests
   * (plain http, loopback only: an answer over plain http from elsewhere could be forged in transit).
   */
  endpoint: z
    .url({ protocol: /^https?$/ })
    .refine((u) => new URL(u).protocol === "https:" || LOOPBACK.test(new URL(u).hostname), {
      message: "plain http is allowed only to a loopback endpoint",
    })
    .optional(),
  /**
   * The store's one namespace. The decision model is un-namespaced (`User`, `Route`, `Action::"GET"`), but
   * Verified Permissions refuses an empty namespace, so the store holds `ZtPdp::User` etc.; the engines,
   * `ztpdp push` and `ztpdp pull` translate in both directions.
   */
  namespace: namespace.default("ZtPdp"),
  /**
   * Local folder with `schema.cedarschema`, relative to the config file. The remote engine checks each
   * request against this schema before sending it, exactly as the local engine does, so a request the
   * local engine would refuse is refused without a call. `ztpdp push` publishes the same folder.
   */
  dir: z.string().min(1).default("../policies"),
  /** All Verified Permissions calls for one decision, retries included. */
  timeoutMs: z.number().int().min(100).max(20000).default(750),
  /** One attempt of one call (then it is aborted and, within the budget, retried). */
  attemptTimeoutMs: z.number().int().min(50).max(20000).default(400),
  /** Attempts per call on throttling, 5xx and network faults (client errors are never retried). */
  maxAttempts: z.number().int().min(1).max(10).default(3),
  /** Mirror: how often the store is checked for changes (each instance adds up to 20% random jitter). */
  refreshSeconds: z.number().int().min(15).max(86_400).default(60),
  /** Mirror: a set not confirmed against the store for this long stops allowing (`policy_store_stale`). */
  maxStalenessSeconds: z.number().int().min(30).max(7 * 86_400).default(600),
  /** Mirror: time for the whole first read of the store at cold start (Lambda init allows 10 s). */
  initTimeoutMs: z.number().int().min(500).max(9000).default(5000),
});

export type AvpPolicySource = z.infer<typeof avpPolicySourceSchema>;
