// postinstall: explain the EBADENGINE warnings npm prints just above when the machine's own Node is not 22.
// npm checks every package's `engines` against the Node that runs npm itself; the project never runs on that
// Node: `node@22` (a devDependency) puts Node 22 first on PATH for npm scripts and npx (README "Quick start").
const agent = process.env.npm_config_user_agent ?? "";
const npmNode = /\bnode\/v(\d+)/.exec(agent)?.[1];
if (npmNode !== undefined && npmNode !== "22") {
  console.log(
    `note: npm runs on Node ${npmNode} here, so it warned (EBADENGINE) about packages that need Node 22. ` +
      "That is expected: npm test, npm start and npx ztpdp run on the Node 22 just installed (node_modules/.bin/node).",
  );
}
