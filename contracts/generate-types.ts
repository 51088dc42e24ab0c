/**
 * Generates `contracts/types/*.ts` from `contracts/schemas/*.schema.json` (run: `npm run types`),
 * and the precompiled validators `contracts/validators/*.ts` (contracts/generate-validators.ts).
 * The generated files are checked in. `--check` renders them in memory and exits non-zero naming
 * every stale file (test/unit/contracts/generated-types.test.ts runs it in a child process,
 * because the formatter json-schema-to-typescript uses needs ESM dynamic import, which jest's
 * CommonJS runtime refuses).
 */
import { compile } from 'json-schema-to-typescript';
import type { JSONSchema4 } from 'json-schema';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { findStaleValidators, renderContractValidators, VALIDATORS_DIR } from './generate-validators';

export const SCHEMAS_DIR = path.join(__dirname, 'schemas');
export const TYPES_DIR = path.join(__dirname, 'types');
const SCHEMA_SUFFIX = '.schema.json';

const BANNER = [
  '/* eslint-disable */',
  '/**',
  ' * GENERATED from contracts/schemas/{{file}} by contracts/generate-types.ts: do not edit.',
  ' * Change the schema and run `npm run types`.',
  ' */',
].join('\n');

/** Renders every schema's TypeScript module: file name (e.g. `appointment.ts`) → source. */
export async function renderContractTypes(schemasDir: string = SCHEMAS_DIR): Promise<Map<string, string>> {
  const files = readdirSync(schemasDir)
    .filter((file) => file.endsWith(SCHEMA_SUFFIX))
    .sort();
  const rendered = new Map<string, string>();
  for (const file of files) {
    const schema = JSON.parse(readFileSync(path.join(schemasDir, file), 'utf8')) as JSONSchema4;
    if (typeof schema.title !== 'string') throw new Error(`${file} has no title: the title names its TypeScript type`);
    const source = await compile(schema, schema.title, {
      bannerComment: BANNER.replace('{{file}}', file),
      additionalProperties: false,
      // Pinned formatting so the output does not depend on a Prettier config found on disk.
      style: { singleQuote: true, printWidth: 110, trailingComma: 'all' },
      cwd: schemasDir,
    });
    rendered.set(file.slice(0, -SCHEMA_SUFFIX.length) + '.ts', source);
  }
  return rendered;
}

/** The checked-in files that differ from what the schemas render (missing and extra included). */
export async function findStaleTypes(schemasDir: string = SCHEMAS_DIR, typesDir: string = TYPES_DIR): Promise<string[]> {
  const rendered = await renderContractTypes(schemasDir);
  const onDisk = existsSync(typesDir) ? readdirSync(typesDir).filter((file) => file.endsWith('.ts')) : [];
  const stale = [...rendered]
    .filter(([file, source]) => !existsSync(path.join(typesDir, file)) || readFileSync(path.join(typesDir, file), 'utf8') !== source)
    .map(([file]) => file);
  const extra = onDisk.filter((file) => !rendered.has(file));
  return [...stale, ...extra].sort();
}

async function main(): Promise<void> {
  if (process.argv.includes('--check')) {
    // `--schemas <dir> --types <dir> --validators <dir>` let the freshness test check a scratch
    // copy (with `--schemas`, only the folders named are checked).
    const option = (name: string): string | undefined => {
      const index = process.argv.indexOf(name);
      return index >= 0 ? process.argv[index + 1] : undefined;
    };
    const schemasDir = option('--schemas');
    const typesDir = option('--types') ?? (schemasDir ? undefined : TYPES_DIR);
    const validatorsDir = option('--validators') ?? (schemasDir ? undefined : VALIDATORS_DIR);
    const report = (folder: string, stale: string[]): void => {
      if (stale.length > 0) {
        console.error(`contracts/${folder} is stale (${stale.join(', ')}): run \`npm run types\``);
        process.exitCode = 1;
      } else {
        console.log(`contracts/${folder} is up to date`);
      }
    };
    if (typesDir) report('types', await findStaleTypes(schemasDir, typesDir));
    if (validatorsDir) report('validators', findStaleValidators(schemasDir ?? SCHEMAS_DIR, validatorsDir));
    return;
  }
  mkdirSync(TYPES_DIR, { recursive: true });
  const rendered = await renderContractTypes();
  for (const [file, source] of rendered) {
    writeFileSync(path.join(TYPES_DIR, file), source);
    console.log(`wrote contracts/types/${file}`);
  }
  const validators = renderContractValidators(SCHEMAS_DIR);
  mkdirSync(VALIDATORS_DIR, { recursive: true });
  for (const [file, source] of validators) {
    writeFileSync(path.join(VALIDATORS_DIR, file), source);
    console.log(`wrote contracts/validators/${file}`);
  }
  // A schema removed: its validator goes too (types are left as before: they are rewritten only).
  for (const file of readdirSync(VALIDATORS_DIR).filter((name) => name.endsWith('.ts') && !validators.has(name))) {
    rmSync(path.join(VALIDATORS_DIR, file));
    console.log(`removed contracts/validators/${file}`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
