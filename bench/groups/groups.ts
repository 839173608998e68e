import { lambdaContext, startFixture } from "../fixture.js";
import { measure, type Measurement } from "../measure.js";
import { expectAllow, loadHandler } from "./handler.js";

/** decision.full for a user in 1, 10 and 100 groups (reference policies; only Employees is named by them). */
export async function groupsGroup(iterations: number): Promise<Measurement[]> {
  const fixture = await startFixture();
  const handler = await loadHandler(fixture);
  const out: Measurement[] = [];
  for (const count of [1, 10, 100]) {
    const groups = ["Employees", ...Array.from({ length: count - 1 }, (_, i) => `team-${i}`)];
    const event = fixture.event(fixture.userToken({ groups }), fixture.deviceToken());
    await expectAllow(handler, event);
    out.push(await measure(`decision.full.groups-${count}`, () => handler(event, lambdaContext), { yieldBetween: true, warmup: 2_000, iterations, note: `${count} group(s) in the token` }));
  }
  await fixture.close();
  return out;
}
