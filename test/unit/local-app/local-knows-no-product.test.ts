import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

/**
 * `local/` is the generic local runtime: it runs whatever the synthesized cloud assembly defines.
 * The product's local conveniences (progress wording, demo, seed data, `npm start`) are in
 * `local-app/`, which uses it. This test keeps it so: no source file under `local/` imports the
 * product's code, and no code (identifiers, strings, templates: comments do not count) names a
 * product concept.
 */
const ROOT = resolve(__dirname, '..', '..', '..');
const LOCAL = join(ROOT, 'local');
const PRODUCT_FOLDERS = ['services', 'contracts', 'local-app', 'cdk'];
const PRODUCT_WORDS = /appointment|booking|patient|dentist|notificationResult/i;

/**
 * Justified exceptions, by file and what is allowed there. None today: the one place that must
 * load the CDK app (`local/topology/synthesize-assembly.ts`) takes the app module as a parameter,
 * with a default path (`DEFAULT_CDK_APP_MODULE`), not an import.
 */
const ALLOWED: ReadonlyArray<{ file: string; text: string; reason: string }> = [];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|cjs|mjs|js)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** What a file's code (not its comments) imports and names: module specifiers, and words that name the product. */
function productReferences(fileName: string, text: string): { imports: string[]; words: string[] } {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, fileName.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const fileDir = resolve(fileName, '..');
  const imports = ts
    .preProcessFile(text, true, true)
    .importedFiles.map((file) => file.fileName)
    .filter((specifier) => {
      if (!specifier.startsWith('.')) return false;
      const target = relative(ROOT, resolve(fileDir, specifier)).split(sep)[0];
      return PRODUCT_FOLDERS.includes(target);
    });
  const words: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node) || ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node) || ts.isRegularExpressionLiteral(node)) {
      const value = ts.isIdentifier(node) || ts.isPrivateIdentifier(node) ? node.text : node.getText(source);
      if (PRODUCT_WORDS.test(value)) words.push(value);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, words };
}

describe('local/ knows no product', () => {
  const files = sourceFiles(LOCAL);

  it('finds the runtime sources to check', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files).toContain(join(LOCAL, 'runtime', 'local-runtime.ts'));
  });

  it('flags product imports and product words in code, not in comments', () => {
    const fileName = join(LOCAL, 'runtime', 'example.ts');
    const found = productReferences(
      fileName,
      [
        "import { x } from '../../services/common/x';",
        "import type { Y } from '../../local-app/booking-progress';",
        "import { z } from '../pipes';",
        '// a booking in a comment is fine',
        '/** so is an appointment here */',
        "const key = 'notificationResult';",
        'const line = `${key} of the patient`;',
        'function markBooking(): void {}',
        "const lazy = () => import('../../cdk/app');",
      ].join('\n'),
    );
    expect(found.imports).toEqual(['../../services/common/x', '../../local-app/booking-progress', '../../cdk/app']);
    expect(found.words).toEqual(["'../../local-app/booking-progress'", "'notificationResult'", '} of the patient`', 'markBooking']);
  });

  it('no file under local/ imports services/, contracts/, local-app/ or cdk/, or names a product concept in code', () => {
    const problems = files.flatMap((file) => {
      const name = relative(ROOT, file).split(sep).join('/');
      const found = productReferences(file, readFileSync(file, 'utf8'));
      const allowed = (text: string) => ALLOWED.some((exception) => exception.file === name && text.includes(exception.text));
      return [
        ...found.imports.filter((specifier) => !allowed(specifier)).map((specifier) => `${name} imports ${specifier}`),
        ...found.words.filter((word) => !allowed(word)).map((word) => `${name} names ${word}`),
      ];
    });
    expect(problems).toEqual([]);
  });
});
