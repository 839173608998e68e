import type { BuildContext } from "../route.js";
import { createDynamoStore, type TrustStore } from "../store.js";

/** The DynamoDB state table; `ZTPDP_TP_TABLE` and `ZTPDP_TP_DYNAMODB_ENDPOINT` override the config. */
export function buildStore(ctx: BuildContext): TrustStore {
  if (ctx.store) return ctx.store;
  const endpoint = ctx.env.ZTPDP_TP_DYNAMODB_ENDPOINT || ctx.tp.store.endpoint;
  return createDynamoStore({
    tableName: ctx.env.ZTPDP_TP_TABLE || ctx.tp.store.tableName,
    ...(endpoint ? { endpoint } : {}),
    ...(ctx.tp.store.region ? { region: ctx.tp.store.region } : {}),
  });
}
