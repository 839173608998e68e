// What the Serverless plugin (deploy/serverless-ztpdp.mjs) and the build use, bundled to dist/deploy/index.mjs.
export { BundleError, stageBundle } from "./stage.js";
export { developmentReason, PackageRefused, planPackage } from "./plan.js";
export { validateTemplate } from "./cfn-validate.js";
export { validateProjectTemplates } from "./project-templates.js";
