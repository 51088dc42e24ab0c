import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

// The generator runs in a child process: its formatter needs ESM dynamic import, which jest's
// CommonJS module runtime refuses.
const GENERATOR = path.join(ROOT, 'contracts', 'generate-types.ts');

function runCheck(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(TSX, [GENERATOR, '--check', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A scratch copy of the named contracts/ folders, so the real files are never touched. */
function scratchCopy(dirs: string[]): string {
  const scratch = mkdtempSync(path.join(tmpdir(), 'contracts-'));
  for (const dir of dirs) {
    mkdirSync(path.join(scratch, dir));
    for (const file of readdirSync(path.join(ROOT, 'contracts', dir))) {
      copyFileSync(path.join(ROOT, 'contracts', dir, file), path.join(scratch, dir, file));
    }
  }
  return scratch;
}

describe('generated contract types', () => {
  it('are up to date with the schemas (run `npm run types` when this fails)', () => {
    const { status, output } = runCheck();

    expect(output).toContain('contracts/types is up to date');
    expect(output).toContain('contracts/validators is up to date');
    expect(status).toBe(0);
  }, 60_000);

  it('the check fails naming the stale file when a schema changes', () => {
    // A scratch copy of contracts/ so the real files are never touched.
    const scratch = mkdtempSync(path.join(tmpdir(), 'contracts-'));
    try {
      for (const dir of ['schemas', 'types']) {
        mkdirSync(path.join(scratch, dir));
        for (const file of readdirSync(path.join(ROOT, 'contracts', dir))) {
          copyFileSync(path.join(ROOT, 'contracts', dir, file), path.join(scratch, dir, file));
        }
      }
      const schemaFile = path.join(scratch, 'schemas', 'contact.schema.json');
      const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { properties: Record<string, unknown> };
      schema.properties.nickname = { type: 'string', maxLength: 20 };
      writeFileSync(schemaFile, JSON.stringify(schema));

      const { status, output } = runCheck('--schemas', path.join(scratch, 'schemas'), '--types', path.join(scratch, 'types'));

      expect(status).toBe(1);
      expect(output).toContain('contracts/types is stale (contact.ts): run `npm run types`');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);

  it('the check fails naming the stale validator when a schema changes, and the extra one when a schema goes', () => {
    const scratch = scratchCopy(['schemas', 'validators']);
    try {
      const schemaFile = path.join(scratch, 'schemas', 'contact.schema.json');
      const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as { properties: Record<string, { maxLength?: number }> };
      // A change that only the validator sees (no type changes): a tighter bound.
      schema.properties.id = { ...schema.properties.id, maxLength: 100 };
      writeFileSync(schemaFile, JSON.stringify(schema));
      rmSync(path.join(scratch, 'schemas', 'error-response.schema.json'));

      const { status, output } = runCheck('--schemas', path.join(scratch, 'schemas'), '--validators', path.join(scratch, 'validators'));

      expect(status).toBe(1);
      expect(output).toContain('contracts/validators is stale (contact.ts, error-response.ts): run `npm run types`');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);
});
