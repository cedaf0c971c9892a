// Generates config.example.yaml and docs/CONFIG.md from the schema (pure), so the documented
// keys, defaults and comments can never drift from what the loader accepts.
import type { z } from 'zod';
import { alternatives, inspect, schemaAt, type Path } from './introspect.js';
import { configSchema } from './schema.js';
import { joinOr } from './text.js';
import { emitList, inlineYaml, renderLines, type CommentFor, type EmitLine } from './yaml-emit.js';

const REGEN = 'UPDATE_CONFIG_DOCS=1 npx vitest run test/unit/config/docs.test.ts';

const describe: CommentFor = (path) => inspect(schemaAt(configSchema, path) ?? configSchema).meta?.description;

/** A filled-in list item for templates: each key's example, else its default. */
function templateItem(schema: z.ZodType): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(inspect(schema).shape)) {
    const info = inspect(child);
    if (info.meta?.example !== undefined) out[key] = info.meta.example;
    else if (info.kind === 'object') out[key] = templateItem(child);
    else out[key] = info.hasDefault ? info.defaultValue : '';
  }
  return out;
}

function exampleLines(schema: z.ZodType, path: Path, indent: number): EmitLine[] {
  const pad = ' '.repeat(indent);
  const out: EmitLine[] = [];
  for (const [key, child] of Object.entries(inspect(schema).shape)) {
    const info = inspect(child);
    const p = [...path, key];
    const comment = info.meta?.description;
    if (path.length === 0 && out.length > 0) out.push({ text: '' });
    if (info.kind === 'object') {
      out.push({ text: `${pad}${key}:`, comment });
      out.push(...exampleLines(child, p, indent + 2));
    } else if (info.kind === 'array' && info.element && inspect(info.element).kind === 'object') {
      // A list of items defaults to empty: show one commented item with every key.
      out.push({ text: `${pad}${key}: ${inlineYaml(info.defaultValue ?? [])}`, comment });
      const item = emitList([templateItem(info.element)], p, 0, describe);
      out.push(...item.map((l) => ({ ...l, text: `${pad}  # ${l.text}` })));
    } else {
      out.push({ text: `${pad}${key}: ${inlineYaml(info.defaultValue)}`, comment });
    }
  }
  return out;
}

export function renderExampleYaml(): string {
  const head = [
    '# power2mqtt configuration: every key with its default and what it does.',
    `# Generated from src/config/schema.ts; do not edit by hand (${REGEN}).`,
    '# Every key is optional: copy this file to config.yaml and keep only what you change.',
    '# Lists are empty by default; the commented item under a list shows every key an item takes.',
    '# Environment overrides: POWER2MQTT_<SECTION>__<KEY>=value, e.g. POWER2MQTT_MQTT__URL (docs/CONFIG.md).',
    '',
  ];
  return `${head.join('\n')}\n${renderLines(exampleLines(configSchema, [], 0))}\n`;
}

// ---- Markdown -------------------------------------------------------------------------------

interface Row {
  key: string;
  type: string;
  def: string;
  description: string;
}

const SECRET_NOTE = {
  value: 'secret: shown as `***` by check-config',
  url: 'secret: its path and query are shown as `***`',
  'url-password': 'a password in the URL is shown as `***`',
} as const;

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function rows(schema: z.ZodType, prefix: string): Row[] {
  const out: Row[] = [];
  for (const [key, child] of Object.entries(inspect(schema).shape)) {
    const info = inspect(child);
    const name = prefix ? `${prefix}.${key}` : key;
    let description = info.meta?.description ?? '';
    if (info.meta?.secret) description += ` *(${SECRET_NOTE[info.meta.secret]})*`;
    if (info.kind === 'object') {
      out.push(...rows(child, name));
      continue;
    }
    const isItemList = info.kind === 'array' && info.element !== undefined && inspect(info.element).kind === 'object';
    const type = isItemList ? 'list of items (below)' : joinOr(alternatives(child));
    const def = info.hasDefault ? `\`${inlineYaml(info.defaultValue)}\`` : '**required**';
    out.push({ key: name, type, def, description });
    if (isItemList && info.element) out.push(...rows(info.element, `${name}[]`));
  }
  return out;
}

const INTRO = `# Configuration reference

<!-- Generated from src/config/schema.ts by renderConfigMarkdown(); do not edit by hand.
     Regenerate with: ${REGEN} -->

power2mqtt reads one YAML file. Every key is optional; unknown keys are errors (they are
usually typos). \`config.example.yaml\` lists every key with its default.

## Where the configuration comes from

1. \`--config <path>\`, else the environment variable \`POWER2MQTT_CONFIG\`, else \`./config.yaml\`
   if it exists. A path named by \`--config\` or \`POWER2MQTT_CONFIG\` that does not exist is an
   error (exit code 2), never a silent demo.
2. No file → **demo mode**: built-in defaults, a simulated PDU, switches and plugs, and the
   embedded MQTT broker (\`demo.enabled: auto\`).
3. Precedence: built-in defaults < config file < settings saved through the API <
   environment variables < command-line flags.

## Environment variables

\`POWER2MQTT_<SECTION>__<KEY>\`: the prefix \`POWER2MQTT_\`, keys separated by two
underscores, case-insensitive; list items by index (\`POWER2MQTT_DEVICES__0__HOST\`), which
creates the item when the file has none. Values are read as YAML scalars, so \`true\`, \`5\`,
\`null\` and \`[a, b]\` are typed; values of text-only keys (passwords, communities) are taken
literally unless quoted. A variable ending in \`_FILE\` reads the value from that file, trailing
newline removed (Docker/Kubernetes secrets):

\`\`\`sh
POWER2MQTT_MQTT__URL=mqtt://broker:1883
POWER2MQTT_WEB__PORT=9090
POWER2MQTT_DEVICES__0__COMMUNITY=secret
POWER2MQTT_MQTT__PASSWORD_FILE=/run/secrets/mqtt_password
POWER2MQTT_LOG__LEVEL=debug
\`\`\`

An unknown key in a variable name is an error naming the variable. The file is plain YAML: a
custom tag such as Home Assistant's \`!secret name\` or \`!include\` is an error naming the key
(it would otherwise load the bare text as the value); use these variables for secrets instead.

## Checking a configuration

\`power2mqtt check-config [--config f]\` validates and prints the effective configuration with
secrets shown as \`***\` and each value's origin (\`default\`, \`file\`, \`env\`, \`cli\`). Every
problem is printed as \`key.path: what is wrong; how to fix it\`, and the exit code is 2.
`;

export function renderConfigMarkdown(): string {
  const parts = [INTRO];
  for (const [key, child] of Object.entries(inspect(configSchema).shape)) {
    const info = inspect(child);
    parts.push(`## \`${key}\`\n`);
    if (info.meta?.description) parts.push(`${info.meta.description}\n`);
    const table = info.kind === 'object' ? rows(child, key) : rows(configSchema, '').filter((r) => r.key === key || r.key.startsWith(`${key}[]`));
    parts.push('| Key | Type | Default | Description |\n|---|---|---|---|');
    parts.push(`${table.map((r) => `| \`${r.key}\` | ${cell(r.type)} | ${cell(r.def)} | ${cell(r.description)} |`).join('\n')}\n`);
  }
  return `${parts.join('\n')}`;
}
