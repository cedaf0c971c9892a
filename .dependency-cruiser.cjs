// Import rules of ARCHITECTURE.md ("Direction"). `npm run lint:imports` fails on any violation;
// test/unit/architecture.test.ts proves it catches a planted one and reads the real tree.
const SERVICES = ['mqtt', 'history', 'rules', 'outage', 'watchdog', 'http', 'notify', 'reports'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-innermost',
      comment: 'core/ imports nothing of ours outside core/',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'config-only-core',
      comment: 'config/ imports only core/',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: '^src/(core|config)/' },
    },
    {
      name: 'devices-core-and-config',
      comment: 'devices/ imports core/, config types and devices/ only',
      severity: 'error',
      from: { path: '^src/devices/' },
      to: { path: '^src/', pathNot: '^src/(core|config|devices)/' },
    },
    {
      name: 'profiles-are-data',
      comment: 'device profiles import only the profile types (and the shared core types)',
      severity: 'error',
      from: { path: '^src/devices/pdu/profiles/' },
      to: { path: '^src/', pathNot: '^src/(devices/pdu/profiles/|core/types\\.ts$)' },
    },
    {
      name: 'services-do-not-import-each-other',
      comment:
        'services talk through the bus and ports in core/ports.ts, never by importing each other or devices/; ' +
        'the device profile tables (pure data + pure mappings) are shared by every view (ARCHITECTURE.md)',
      severity: 'error',
      from: { path: `^src/(${SERVICES.join('|')})/` },
      to: { path: '^src/', pathNot: ['^src/(core|config)/', '^src/devices/pdu/profiles/', '^src/$1/'] },
    },
    {
      name: 'only-the-composition-root-knows-everything',
      comment: 'app.ts and main.ts are imported by nobody but cli/ and main.ts',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(main\\.ts|cli/)' },
      to: { path: '^src/(app|main)\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
