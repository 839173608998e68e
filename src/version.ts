// The project's version, from package.json (esbuild inlines just this field into the bundles).
import pkg from "../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
