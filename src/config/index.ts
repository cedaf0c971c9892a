// Public surface of the config module. Other folders import types from here (ARCHITECTURE.md).
export * from './schema.js';
export { loadConfig, type LoadOptions, type LoadResult, type ConfigIssue, type Origin } from './load.js';
export { resolveConfig, assignDeviceIds, type ResolveContext } from './resolve.js';
export { redactConfig, MASK } from './redact.js';
export { formatCheckConfig, formatIssue, formatIssues } from './check.js';
export { renderExampleYaml, renderConfigMarkdown } from './docs.js';
export { parseOutletSpec, outletInSpec, type OutletSpec, type OutletSpecResult } from '../core/outlet-spec.js';
export { ENV_PREFIX, ENV_CONFIG, envName } from './env.js';
