import { developmentSettings } from "../../config/development.js";
import type { LoadedConfig } from "../../config/load.js";

/**
 * Whether this process is a real AWS Lambda function, not an emulator of one. Lambda sets
 * `AWS_LAMBDA_FUNCTION_NAME` and `AWS_EXECUTION_ENV` (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime);
 * serverless-offline (`npm start`, the end-to-end tests) sets the first too, and also `IS_OFFLINE=true`;
 * SAM local sets `AWS_SAM_LOCAL=true`.
 */
export function runsInAwsLambda(env: NodeJS.ProcessEnv = process.env): boolean {
  const lambda = Boolean(env.AWS_LAMBDA_FUNCTION_NAME) || (env.AWS_EXECUTION_ENV ?? "").startsWith("AWS_Lambda_");
  const emulated = env.IS_OFFLINE === "true" || env.AWS_SAM_LOCAL === "true";
  return lambda && !emulated;
}

/**
 * A deployed bundle must not trust the local stack's IdP and MDM: on the development config (loopback
 * issuers, `allowInsecureLoopbackJwks`) it refuses to start, at cold start, saying why and what to do.
 */
export function refuseDevelopmentConfigInLambda(loaded: LoadedConfig, env: NodeJS.ProcessEnv = process.env): void {
  if (!runsInAwsLambda(env)) return;
  const found = developmentSettings(loaded.config);
  if (found.length === 0) return;
  throw new Error(
    `refusing to start: \`${loaded.file}\` is a development config (${found.join("; ")}) and this function runs in AWS Lambda ` +
      `(${env.AWS_LAMBDA_FUNCTION_NAME ?? env.AWS_EXECUTION_ENV}). Set ZTPDP_CONFIG to your production config: https issuers and keys, ` +
      `no development settings (README "Deploying to AWS").`,
  );
}
