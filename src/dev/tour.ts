import { EMULATE_SOURCE_IP_HEADER, EMULATE_VPCE_HEADER } from "./network-emulation.js";

export interface TourOptions {
  restUrl: string;
  httpUrl: string;
  /** Extra `npm run token` flags so tokens match the stack's config (e.g. `--config '/tmp/…/pdp.yaml'`). */
  tokenFlags?: string;
  /** False when the config trusts no development issuer: `npm run token` cannot mint for it. */
  devIssuers?: boolean;
}

const header = (name: string) => name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());

/** The ready-to-paste commands printed by `npm start`: an allow, each kind of 403, and a 401. */
export function quickTour({ restUrl, httpUrl, tokenFlags = "", devIssuers = true }: TourOptions): string {
  const ready = `
Local stack ready.
  REST API (REQUEST authorizer): ${restUrl}
  HTTP API (payload 2.0):        ${httpUrl}
Audit records are printed below as decisions happen. Ctrl-C stops everything.
`;
  if (!devIssuers) {
    return `${ready}
This config trusts no development issuer, so \`npm run token\` cannot mint tokens for it: call the APIs with
tokens from your own IdP and MDM (Authorization: Bearer …, X-Device-Token: …).
`;
  }
  const t = (args: string) => `eval "$(npm run -s token -- ${tokenFlags ? `${tokenFlags} ` : ""}${args})"`;
  const curl = (method: string, path: string, withDevice = true, extra = "") =>
    `curl -s -o /dev/null -w '%{http_code}\\n' -X ${method} ${restUrl}${path} -H "Authorization: Bearer $TOKEN"${withDevice ? ' -H "X-Device-Token: $DEVICE_TOKEN"' : ""}${extra}`;
  return `${ready}
Try it (in another shell, from this folder):

  # 200: an employee on a patched, managed Mac (Jamf)
  ${t("--user alice --groups Employees --device patched --provider jamf")}
  ${curl("GET", "/wiki/home")}

  # 403: the same employee on an unpatched OS
  ${t("--user alice --groups Employees --device unpatched --provider jamf")}
  ${curl("GET", "/wiki/home")}

  # 403: wrong group (a contractor), patched device
  ${t("--user bob --groups Contractors --device patched")}
  ${curl("GET", "/wiki/home")}

  # 200 / 403: the Order service may create charges, the Reporting service may not
  ${t("--service order-service")}
  ${curl("POST", "/payments/charges", false)}
  ${t("--service reporting-service")}
  ${curl("POST", "/payments/charges", false)}

  # 403: restricted HR data from outside the data perimeter (a local request has no source IP or VPC endpoint)
  ${t("--user hana --groups Employees,HR --device patched --provider crowdstrike")}
  ${curl("GET", "/hr/records/e-42")}

  # 200: the same request as API Gateway would see it from the corporate network, then through the private
  # API's VPC endpoint. These headers set the emulated source IP and VPC endpoint; only the local stack
  # honours them (a deployed authorizer has no such code).
  ${curl("GET", "/hr/records/e-42", true, ` -H "${header(EMULATE_SOURCE_IP_HEADER)}: 10.1.2.3"`)}
  ${curl("GET", "/hr/records/e-42", true, ` -H "${header(EMULATE_VPCE_HEADER)}: vpce-0a1b2c3d4e5f60718"`)}

  # 401 without an audit record: with no Authorization header API Gateway (here serverless-offline)
  # answers 401 itself and never calls the authorizer
  curl -s -o /dev/null -w '%{http_code}\\n' ${restUrl}/wiki/home

  # 401 with an audit record (token_expired): the authorizer ran and refused the token
  ${t("--user alice --groups Employees --device patched --expired")}
  ${curl("GET", "/wiki/home")}

  # The HTTP API answers the same decisions (payload 2.0, simple responses):
  ${t("--user alice --groups Employees --device patched")}
  curl -s -w '\\n%{http_code}\\n' ${httpUrl}/wiki/home -H "Authorization: Bearer $TOKEN" -H "X-Device-Token: $DEVICE_TOKEN"
`;
}
