import { z } from 'zod';
import { redactConfig } from '../../config/redact.js';
import { parseSettingsUpdate, RUNTIME_SETTING_KEYS, RUNTIME_SETTINGS } from '../../config/runtime-settings.js';
import { setAtPath } from '../../config/tree.js';
import { P2mError } from '../../core/errors.js';
import type { SettingsPort } from '../../core/system.js';
import type { HttpApp, HttpContext } from '../context.js';
import { DetailedError } from '../errors.js';
import { errorResponse } from '../schemas.js';
import { requireSystem } from './system.js';

// The config view and runtime settings (SPEC §14.2 `/api/config`, precedence §3.1) and the MQTT
// connection test. Secrets are masked by the schema's own `secret` marks (config/redact.ts).

const TAG = ['config'];

const settingView = z.object({
  key: z.enum(RUNTIME_SETTING_KEYS as [string, ...string[]]),
  value: z.unknown().describe('applies after a restart (or now, for live keys)'),
  running: z.unknown().describe('what the process runs with now'),
  origin: z.enum(['default', 'file', 'runtime', 'env', 'cli']),
  effect: z.enum(['live', 'restart']),
});

const configView = z
  .looseObject({
    restart_required: z.array(z.string()).describe('saved settings that apply at the next restart'),
    runtime_settings: z.array(settingView),
  })
  .describe('the effective config with secrets as "***" (every section of config.example.yaml), plus the runtime settings');

const settingsBody = z
  .record(z.string(), z.unknown())
  .describe(`dotted key → value; changeable: ${RUNTIME_SETTING_KEYS.join(', ')}`);

const settingsResult = z.object({
  updated: z.record(z.string(), z.unknown()),
  ok: z.literal(true),
  overridden_by_env: z.array(z.string()),
  restart_required: z.array(z.string()),
});

const mqttTestBody = z
  .object({
    url: z.string().max(2048).optional().describe('mqtt://, mqtts://, ws:// or wss://; absent = the running connection'),
    username: z.string().max(256).optional(),
    password: z.string().max(1024).optional(),
  })
  .strict()
  // fastify hands a request without a body over as null: test the running connection.
  .nullish();

const mqttTestResult = z.object({ success: z.boolean(), message: z.string().optional(), error: z.string().optional() });

function requireSettings(ctx: HttpContext): SettingsPort {
  if (!ctx.settings) throw new P2mError('P2M_ERR_DEVICE_UNAVAILABLE', 'runtime settings need the history database');
  return ctx.settings;
}

export function configRoutes(app: HttpApp, ctx: HttpContext): void {
  const log = ctx.logger.child({ module: 'http' });
  const errors = { 400: errorResponse, 503: errorResponse };

  app.get(
    '/api/config',
    { config: { access: 'read' }, schema: { tags: TAG, summary: 'Effective config (secrets masked) and runtime settings', response: { 200: configView } } },
    async () => {
      const view = redactConfig(ctx.config) as unknown as Record<string, unknown>;
      const settings = ctx.settings?.list() ?? [];
      // Live keys changed since start-up: show what runs now, not the start-up value.
      for (const s of settings) {
        if (s.effect !== 'live') continue;
        setAtPath(view, RUNTIME_SETTINGS[s.key as keyof typeof RUNTIME_SETTINGS].path, s.running);
      }
      return { ...view, restart_required: ctx.settings?.restartRequired() ?? [], runtime_settings: settings };
    },
  );

  app.put(
    '/api/config',
    { config: { access: 'admin' }, schema: { tags: TAG, summary: 'Change runtime settings (saved; env and flags still win)', body: settingsBody, response: { 200: settingsResult, ...errors } } },
    async (req) => {
      const settings = requireSettings(ctx);
      const parsed = parseSettingsUpdate(req.body);
      if (!parsed.ok) {
        const text = parsed.issues.map((i) => `${i.field}: ${i.message}`).join('; ');
        throw new DetailedError('P2M_ERR_VALIDATION', text, parsed.issues[0]?.field, parsed.issues);
      }
      const result = settings.update(parsed.values);
      log.info({ settings: result.updated, overridden_by_env: result.overridden_by_env, restart_required: result.restart_required }, 'runtime settings changed');
      return { ...result, ok: true as const };
    },
  );

  app.post(
    '/api/config/test-mqtt',
    { config: { access: 'admin' }, schema: { tags: TAG, summary: 'Try an MQTT connection (5 s limit); changes nothing', body: mqttTestBody, response: { 200: mqttTestResult, ...errors } } },
    async (req) => {
      const body = req.body ?? {};
      if (body.url !== undefined && !/^(mqtts?|wss?):\/\/[^/\s]+/i.test(body.url)) {
        throw new P2mError('P2M_ERR_VALIDATION', 'url: expected mqtt://host[:port], mqtts://…, ws://… or wss://…', 'url');
      }
      return requireSystem(ctx).testMqtt(body);
    },
  );
}
