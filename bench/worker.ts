// One measurement group per process (bench/run.mjs forks this with a group name). Results go back over
// IPC; stdout is /dev/null, so the authorizer's audit and metric lines are serialized and written, but
// not to the terminal.
//
// Each group is imported only in its own process, so a process holds nothing another group needs (the
// memory group, especially, must not carry the floor's Cedar instance or the AWS SDK).

const [group = "", arg = ""] = process.argv.slice(2);
const iterations = Number(process.env.ZTPDP_BENCH_ITERATIONS ?? 20_000);

async function run(): Promise<unknown> {
  switch (group) {
    case "decision":
      return (await import("./groups/decision.js")).decisionGroup(iterations);
    case "scale":
      return (await import("./groups/scale.js")).scaleGroup(Number(arg), Math.min(iterations, 10_000));
    case "groups":
      return (await import("./groups/groups.js")).groupsGroup(Math.min(iterations, 10_000));
    case "avp":
      return (await import("./groups/avp.js")).avpGroup(Math.min(iterations, 5_000));
    case "avp-engines":
      return (await import("./groups/avp-engines.js")).avpEnginesGroup(arg === "mirror" ? "mirror" : "remote", arg === "mirror" ? iterations : Math.min(iterations, 5_000));
    case "memory":
      return (await import("./groups/memory.js")).memoryGroup(Number(process.env.ZTPDP_BENCH_DECISIONS ?? 100_000));
    case "coldstart":
      return (await import("./groups/coldstart.js")).coldStartGroup(Number(process.env.ZTPDP_BENCH_COLD_RUNS ?? 7));
    case "trust-provider":
      return (await import("./groups/trust-provider.js")).trustProviderGroup(Math.min(iterations, 10_000), Number(process.env.ZTPDP_BENCH_COLD_RUNS ?? 7));
    case "cedarling":
      return (await import("./groups/cedarling.js")).cedarlingGroup(Math.min(iterations, 5_000));
    default:
      throw new Error(`unknown benchmark group \`${group}\``);
  }
}

run().then(
  (result) => process.send?.({ ok: true, result }, () => process.exit(0)),
  (err: unknown) => process.send?.({ ok: false, error: err instanceof Error ? err.stack ?? err.message : String(err) }, () => process.exit(1)),
);
