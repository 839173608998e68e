// Lambda runs nodejs22.x; the machines ship Node 20. The `node` devDependency puts a Node 22 binary first
// on PATH for npm scripts, so this guard only fails when someone bypasses npm (e.g. a global vitest).
const major = Number(process.versions.node.split(".")[0]);
if (major !== 22) {
  console.error(`error: node 22 is required (found ${process.versions.node}); run through npm (npm test)`);
  process.exit(1);
}
