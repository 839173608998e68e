import { authorizeRoute } from "./authorize.js";
import { callbackRoute } from "./callback.js";
import { discoveryRoute, jwksRoute } from "./discovery.js";
import type { Route } from "./route.js";
import { tokenRoute } from "./token-endpoint.js";
import { userinfoRoute } from "./userinfo.js";

/**
 * Every endpoint (tests, and a single-process host). The Lambda entry points (functions/tp-*.ts) import
 * only their own routes' modules, so each bundles only what its endpoints need.
 */
export const ALL_ROUTES: readonly Route[] = [discoveryRoute, jwksRoute, authorizeRoute, callbackRoute, tokenRoute, userinfoRoute];
