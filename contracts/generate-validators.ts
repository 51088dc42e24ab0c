/**
 * Renders `contracts/validators/*.ts`: ajv's standalone code for each schema of
 * `contracts/schemas/`, so that no function compiles a schema at cold start nor ships ajv's compiler
 * (`npm run types` writes them with the types; `--check` fails naming stale ones). Each module
 * exports one `validate` function (and `patternMessages`) and needs at run time only ajv's tiny runtime helpers and
 * ajv-formats' format functions.
 */
import Ajv2020 from 'ajv/dist/2020';
import { _ } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import addFormats from 'ajv-formats';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export const VALIDATORS_DIR = path.join(__dirname, 'validators');
const SCHEMA_SUFFIX = '.schema.json';

/**
 * A schema may carry `x-pattern-message`: what its `pattern` means, in words (contracts/index.ts
 * puts it in the error message). An annotation only: it generates no code.
 */
export const PATTERN_MESSAGE_KEYWORD = 'x-pattern-message';

const BANNER = [
  '/* eslint-disable */',
  '// @ts-nocheck',
  '/**',
  ' * GENERATED from contracts/schemas/{{file}} by contracts/generate-validators.ts (ajv standalone',
  ' * code): do not edit. Change the schema and run `npm run types`.',
  ' */',
].join('\n');

/**
 * One ajv instance per schema, with the options every validator is compiled with: draft 2020-12,
 * every error (not only the first), ajv-formats' full formats referenced by the generated code.
 * Not `verbose`: errors carrying their schema would embed it in the code; the pattern messages are
 * exported as a map instead (`patternMessages`).
 */
function newAjv(): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    code: { source: true, esm: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: PATTERN_MESSAGE_KEYWORD, schemaType: 'string' });
  return ajv;
}

/** Keywords whose value is a map of subschemas, or a subschema or list of subschemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const SUBSCHEMAS = new Set([
  'items', 'prefixItems', 'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'contains',
  'additionalProperties', 'propertyNames', 'unevaluatedProperties', 'unevaluatedItems',
]);
/** Annotations no validation reads: left out of the compiled code, which would embed them. */
const ANNOTATIONS = new Set(['title', 'description', 'examples', '$comment']);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Walks a schema: returns it without annotations, and records in `messages` the schema path
 * (as ajv reports it in `schemaPath`, e.g. `#/properties/phoneNumber/pattern`) of every pattern
 * that carries an `x-pattern-message`.
 */
function prepare(schema: Json, pointer: string, messages: Record<string, string>): Json {
  if (Array.isArray(schema)) return schema.map((item, index) => prepare(item, `${pointer}/${index}`, messages));
  if (schema === null || typeof schema !== 'object') return schema;
  const message = schema[PATTERN_MESSAGE_KEYWORD];
  if (typeof schema.pattern === 'string' && typeof message === 'string') messages[`${pointer}/pattern`] = message;
  const prepared: Record<string, Json> = {};
  for (const [keyword, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword)) continue;
    const at = `${pointer}/${keyword.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (SCHEMA_MAPS.has(keyword) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      prepared[keyword] = Object.fromEntries(
        Object.entries(value).map(([name, subschema]) => [name, prepare(subschema, `${at}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`, messages)]),
      );
    } else if (SUBSCHEMAS.has(keyword)) {
      prepared[keyword] = prepare(value, at, messages);
    } else {
      prepared[keyword] = value;
    }
  }
  return prepared;
}

/** Every schema's validator module: file name (e.g. `appointment.ts`) → source. */
export function renderContractValidators(schemasDir: string): Map<string, string> {
  const files = readdirSync(schemasDir)
    .filter((file) => file.endsWith(SCHEMA_SUFFIX))
    .sort();
  const rendered = new Map<string, string>();
  for (const file of files) {
    let schema: Json;
    try {
      schema = JSON.parse(readFileSync(path.join(schemasDir, file), 'utf8')) as Json;
    } catch (error) {
      throw new Error(`${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    const ajv = newAjv();
    const patternMessages: Record<string, string> = {};
    let code: string;
    try {
      code = standaloneCode(ajv, ajv.compile(prepare(schema, '#', patternMessages) as object));
    } catch (error) {
      throw new Error(`${file} does not compile: ${(error as Error).message}`, { cause: error });
    }
    // ajv emits one line; `"use strict"` is implied by the module and would precede the banner.
    const body = code.replace(/^"use strict";/, '');
    // The schema's `$id` on the function: names the contract, and marks the module in a bundle
    // (test/infra/bundle-budgets.test.ts checks each function ships only the validators it uses).
    const id = typeof schema === 'object' && schema !== null && !Array.isArray(schema) ? schema.$id : undefined;
    if (typeof id !== 'string') throw new Error(`${file} has no $id: it names the validator`);
    const marker = `validate.schemaId = ${JSON.stringify(id)};`;
    const messages = `/** What each pattern means, in words (its \`x-pattern-message\`), by the schema path ajv reports. */\nexport const patternMessages = ${JSON.stringify(patternMessages, null, 2)};`;
    rendered.set(file.slice(0, -SCHEMA_SUFFIX.length) + '.ts', `${BANNER.replace('{{file}}', file)}\n${body}\n${marker}\n${messages}\n`);
  }
  return rendered;
}

/** Checked-in validator modules that differ from what the schemas render (missing and extra included). */
export function findStaleValidators(schemasDir: string, validatorsDir: string = VALIDATORS_DIR): string[] {
  const rendered = renderContractValidators(schemasDir);
  const onDisk = existsSync(validatorsDir) ? readdirSync(validatorsDir).filter((file) => file.endsWith('.ts')) : [];
  const stale = [...rendered]
    .filter(([file, source]) => !existsSync(path.join(validatorsDir, file)) || readFileSync(path.join(validatorsDir, file), 'utf8') !== source)
    .map(([file]) => file);
  const extra = onDisk.filter((file) => !rendered.has(file));
  return [...stale, ...extra].sort();
}
