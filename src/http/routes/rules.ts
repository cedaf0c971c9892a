import { z } from 'zod';
import { P2mError, type ErrorCode } from '../../core/errors.js';
import type { RuleChange, RulesPort } from '../../core/ports.js';
import type { RuleIssue, RuleView } from '../../core/rules.js';
import type { HttpApp, HttpContext } from '../context.js';
import { DetailedError } from '../errors.js';
import {
  dryRunView, ruleBody, ruleDeletedView, ruleErrorResponse, ruleJson, ruleNameParams, rulesListQuery, rulesReloadedView, ruleToggledView,
  ruleView, toggleBody,
} from '../views/rules.js';

// The rules engine over REST (SPEC §14.2 `/api/rules…`, §12): rules.json is the source of truth
// and every change goes through RulesPort, which validates the body like a file entry and
// rewrites the file. Validation failures answer 400 naming the first issue's field, with every
// issue in `details`.

const TAG = ['rules'];

/** Name given to an unsaved rule sent to `/api/rules/dry-run` without one (a name is required to parse it). */
export const DRY_RUN_NAME = 'dry-run';

const errors = { 400: ruleErrorResponse, 404: ruleErrorResponse, 409: ruleErrorResponse, 503: ruleErrorResponse };

function requireRules(ctx: HttpContext): RulesPort {
  if (!ctx.rules) throw new P2mError('P2M_ERR_DEVICE_UNAVAILABLE', 'the rules engine is not running');
  return ctx.rules;
}

/** A failure of RulesPort → the catalogue error; the first issue names the field, all go to `details`. */
export function ruleError(code: ErrorCode, error: string, issues: RuleIssue[] | undefined, fallbackField?: string): P2mError {
  const field = issues?.[0]?.field ?? fallbackField;
  return issues && issues.length > 0 ? new DetailedError(code, error, field, issues) : new P2mError(code, error, field);
}

function unwrap(change: RuleChange): RuleView {
  if (change.ok) return change.rule;
  // The service words conflicts and unknown names after the name ("name: …", "no rule named …").
  return failWith(change.code, change.error, change.issues);
}

function failWith(code: ErrorCode, error: string, issues: RuleIssue[] | undefined): never {
  throw ruleError(code, error, issues, code === 'P2M_ERR_VALIDATION' ? undefined : 'name');
}

export function ruleRoutes(app: HttpApp, ctx: HttpContext): void {
  const log = ctx.logger.child({ module: 'http' });

  app.get(
    '/api/rules',
    {
      schema: {
        tags: TAG,
        summary: 'Every rule with its state (a `device: all` rule once per device)',
        querystring: rulesListQuery,
        response: { 200: z.array(ruleView), 400: ruleErrorResponse, 503: ruleErrorResponse },
      },
    },
    async (req) => requireRules(ctx).list(req.query.device_id).map(ruleJson),
  );

  app.post(
    '/api/rules',
    { schema: { tags: TAG, summary: 'Add a rule (rewrites rules.json)', body: ruleBody, response: { 201: ruleView, ...errors } } },
    async (req, reply) => {
      const rule = unwrap(requireRules(ctx).create(req.body));
      log.info({ rule: rule.name }, 'rule created');
      return reply.code(201).send(ruleJson(rule));
    },
  );

  // Before /api/rules/:name/dry-run: a static path wins over a parameter in fastify's router anyway.
  app.post(
    '/api/rules/reload',
    {
      schema: {
        tags: TAG,
        summary: 'Reload rules.json (an invalid file keeps the current rules and answers 400 with every issue)',
        response: { 200: rulesReloadedView, 400: ruleErrorResponse, 503: ruleErrorResponse },
      },
    },
    async () => {
      const r = requireRules(ctx).reload();
      if (!r.ok) {
        // Led by the first issue's field (the `field` of the answer), each naming its rule.
        const text = r.issues.map((i) => `${i.field}${i.rule !== null ? ` (rule "${i.rule}")` : i.index !== null ? ` (entry ${i.index})` : ''}: ${i.message}`);
        throw ruleError('P2M_ERR_VALIDATION', `${text.join('; ')}; rules file not reloaded, the previous rules stay active`, r.issues);
      }
      log.info({ rules: r.rules }, 'rules reloaded');
      return { rules: r.rules };
    },
  );

  app.post(
    '/api/rules/dry-run',
    {
      schema: {
        tags: TAG,
        summary: 'Evaluate an unsaved rule against the current state; sends nothing',
        body: ruleBody,
        response: { 200: dryRunView, 400: ruleErrorResponse, 503: ruleErrorResponse },
      },
    },
    async (req) => {
      const rule = 'name' in req.body ? req.body : { name: DRY_RUN_NAME, ...req.body };
      const r = requireRules(ctx).dryRun({ rule });
      if (!r.ok) return failWith(r.code, r.error, r.issues);
      return r.result;
    },
  );

  app.get(
    '/api/rules/:name',
    { schema: { tags: TAG, summary: 'One rule with its state', params: ruleNameParams, response: { 200: ruleView, 404: ruleErrorResponse, 503: ruleErrorResponse } } },
    async (req) => {
      const rule = requireRules(ctx).get(req.params.name);
      if (!rule) throw new P2mError('P2M_ERR_NOT_FOUND', `no rule named "${req.params.name}"`, 'name');
      return ruleJson(rule);
    },
  );

  app.put(
    '/api/rules/:name',
    {
      schema: {
        tags: TAG,
        summary: 'Replace a rule (its name comes from the URL; the state resets to idle, nothing is switched)',
        params: ruleNameParams,
        body: ruleBody,
        response: { 200: ruleView, ...errors },
      },
    },
    async (req) => {
      const rule = unwrap(requireRules(ctx).update(req.params.name, req.body));
      log.info({ rule: rule.name }, 'rule updated');
      return ruleJson(rule);
    },
  );

  app.delete(
    '/api/rules/:name',
    { schema: { tags: TAG, summary: 'Delete a rule (nothing is switched)', params: ruleNameParams, response: { 200: ruleDeletedView, ...errors } } },
    async (req) => {
      const rule = unwrap(requireRules(ctx).remove(req.params.name));
      log.info({ rule: rule.name }, 'rule deleted');
      return { deleted: rule.name };
    },
  );

  app.put(
    '/api/rules/:name/toggle',
    {
      schema: {
        tags: TAG,
        summary: 'Enable or disable a rule (no body or no `enabled`: flip)',
        params: ruleNameParams,
        body: toggleBody,
        response: { 200: ruleToggledView, ...errors },
      },
    },
    async (req) => {
      const rule = unwrap(requireRules(ctx).toggle(req.params.name, req.body?.enabled));
      log.info({ rule: rule.name, enabled: rule.enabled }, 'rule toggled');
      return { name: rule.name, enabled: rule.enabled };
    },
  );

  app.post(
    '/api/rules/:name/dry-run',
    {
      schema: {
        tags: TAG,
        summary: 'Evaluate a saved rule against the current state; sends nothing',
        params: ruleNameParams,
        response: { 200: dryRunView, 404: ruleErrorResponse, 503: ruleErrorResponse },
      },
    },
    async (req) => {
      const r = requireRules(ctx).dryRun({ name: req.params.name });
      if (!r.ok) return failWith(r.code, r.error, r.issues);
      return r.result;
    },
  );
}
