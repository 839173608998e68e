/** The ready-to-paste commands printed by `npm start`: an allow, each kind of 403, and a 401. */
export function quickTour(restUrl: string, httpUrl: string): string {
  const t = (args: string) => `eval "$(npm run -s token -- ${args})"`;
  const curl = (method: string, path: string, withDevice = true) =>
    `curl -s -o /dev/null -w '%{http_code}\\n' -X ${method} ${restUrl}${path} -H "Authorization: Bearer $TOKEN"${withDevice ? ' -H "X-Device-Token: $DEVICE_TOKEN"' : ""}`;
  return `
Local stack ready.
  REST API (REQUEST authorizer): ${restUrl}
  HTTP API (payload 2.0):        ${httpUrl}
Audit records are printed below as decisions happen. Ctrl-C stops everything.

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

  # 403: restricted HR data from outside the data perimeter (no VPC endpoint, loopback address)
  ${t("--user hana --groups Employees,HR --device patched --provider crowdstrike")}
  ${curl("GET", "/hr/records/e-42")}

  # 401: no token, then an expired one
  curl -s -o /dev/null -w '%{http_code}\\n' ${restUrl}/wiki/home
  ${t("--user alice --groups Employees --device patched --expired")}
  ${curl("GET", "/wiki/home")}

  # The HTTP API answers the same decisions (payload 2.0, simple responses):
  ${t("--user alice --groups Employees --device patched")}
  curl -s -w '\\n%{http_code}\\n' ${httpUrl}/wiki/home -H "Authorization: Bearer $TOKEN" -H "X-Device-Token: $DEVICE_TOKEN"
`;
}
