import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeSynthesizedOutput, synthesizeStage, templateJson, type SynthesizedStage } from './support/synthesize';

/**
 * Size budgets of the deployable bundles, read from the synthesized assets (a size is a fact, not
 * a timing: deterministic for a given lockfile). Every stage bundles the same entries with the same
 * settings, so the dev assembly stands for all. A function the budgets do not name gets the default.
 */
const KIB = 1024;
// The notifier's budget was 450 KiB (443 measured); the booking lifecycle added the Scheduler client
// (~15 KiB minified), the reminder-request validator (~5 KiB), the appointment read-back, the
// templates per kind and the calendar invite: 478 KiB measured (dev assets, 2026-12-01), the budget
// is that + 5 %. Trimmed first: the notifier reads a contact by the shared rule without shipping the
// contact validator (~6 KiB), and validates no stored appointment (the booking did, ~25 KiB).
const BUDGET_BYTES: Record<string, number> = { booking: 350 * KIB, enrichment: 350 * KIB, notifier: 502 * KIB };
const DEFAULT_BUDGET_BYTES = 350 * KIB;

/** The contracts each function validates at run time (the `$id` of each schema it ships). */
const SCHEMA_ID_PREFIX = 'https://schemas.lj-dentists.example/booking-notifications/';
const VALIDATORS_SHIPPED: Record<string, string[]> = {
  booking: ['appointment', 'appointment-cancellation', 'appointment-change', 'appointment-request', 'contact', 'contact-request', 'notification'],
  enrichment: ['appointment', 'contact', 'enriched-appointment'],
  notifier: ['enriched-appointment', 'reminder-request'],
};

interface BundledFunction {
  name: string;
  file: string;
  source: string;
}

let synthesized: SynthesizedStage;
let functions: BundledFunction[];

beforeAll(() => {
  synthesized = synthesizeStage('dev');
  const resources = templateJson(synthesized.statelessTemplate).Resources;
  functions = Object.values(resources)
    // The service functions (Node.js); CDK's BucketDeployment provider (Python, the patient site's upload) is not ours to bundle.
    .filter((resource) => resource.Type === 'AWS::Lambda::Function' && String(resource.Properties?.Runtime).startsWith('nodejs'))
    .map((resource) => {
      const properties = resource.Properties ?? {};
      const variables = (properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
      const code = properties.Code as { S3Key?: unknown };
      const handler = String(properties.Handler);
      if (typeof code.S3Key !== 'string') throw new Error(`function ${String(variables.POWERTOOLS_SERVICE_NAME)} has no code asset`);
      const directory = path.join(synthesized.outdir, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
      const file = path.join(directory, `${handler.slice(0, handler.lastIndexOf('.'))}.mjs`);
      return { name: String(variables.POWERTOOLS_SERVICE_NAME), file, source: fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '' };
    });
}, 120_000);
afterAll(removeSynthesizedOutput);

describe('deployable bundles', () => {
  it('are the three service functions', () => {
    expect(functions.map((fn) => fn.name).sort()).toEqual(['booking', 'enrichment', 'notifier']);
  });

  it('are ES modules (index.mjs) whose bundled CommonJS dependencies get a require', () => {
    for (const fn of functions) {
      expect({ name: fn.name, exists: fs.existsSync(fn.file) }).toEqual({ name: fn.name, exists: true });
      expect(fn.source.startsWith("import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);")).toBe(true);
    }
  });

  it('stay within their size budgets (notifier 502 KiB, booking and enrichment 350 KiB, any other 350 KiB)', () => {
    const sizes = functions.map((fn) => ({ name: fn.name, kib: Math.ceil(fs.statSync(fn.file).size / KIB) }));
    const over = sizes.filter(({ name, kib }) => kib * KIB > (BUDGET_BYTES[name] ?? DEFAULT_BUDGET_BYTES));
    expect(over).toEqual([]);
  });

  it('ship only the precompiled validators their function uses, and no ajv compiler', () => {
    for (const fn of functions) {
      const shipped = [...fn.source.matchAll(/schemaId\s*=\s*"([^"]+)"/g)]
        .map((match) => String(match[1]))
        .map((id) => id.replace(SCHEMA_ID_PREFIX, '').replace(/\.schema\.json$/, ''))
        .sort();
      expect({ name: fn.name, shipped }).toEqual({ name: fn.name, shipped: VALIDATORS_SHIPPED[fn.name] ?? [] });
      // ajv's compiler and its URI library (fast-uri) stay out: the validators are generated code.
      expect(fn.source).not.toContain('strict mode: ');
      expect(fn.source).not.toContain('URI can not be parsed');
    }
  });

  it('carry only the environment credential provider, not the SDK default chain (SSO, STS, profiles)', () => {
    for (const fn of functions) {
      expect(fn.source).toContain('Unable to find environment variable credentials');
      expect(fn.source).not.toContain('AssumeRoleWithWebIdentity');
      expect(fn.source).not.toContain('credential-provider-sso');
    }
  });
});
