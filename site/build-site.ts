/**
 * Builds the patient pages into a directory CDK uploads as they are (synthesis runs this, so the
 * assembly's site asset is exactly what deploys and what the local runtime serves):
 *
 * - `<outDir>/files/`: `index.html` (the booking page, the distribution's root object), the
 *   bundled `book.js` / `manage.js` (esbuild, minified, no source maps), `site.css`, `favicon.svg`;
 * - `<outDir>/manage/manage`: the manage page under the extension-less key the e-mails link to
 *   (`<siteUrl>/manage?...`), deployed with its own content type (text/html).
 *
 * Deterministic: the same sources give the same bytes (and so the same asset hash).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

export const SITE_SOURCE_DIR = __dirname;

export interface BuiltSite {
  /** Every file but the manage page, keyed by their own names. */
  filesDir: string;
  /** Holds only `manage`, the manage page. */
  manageDir: string;
}

export function buildSite(outDir: string = fs.mkdtempSync(path.join(os.tmpdir(), 'lj-patient-site-'))): BuiltSite {
  const filesDir = path.join(outDir, 'files');
  const manageDir = path.join(outDir, 'manage');
  fs.rmSync(filesDir, { recursive: true, force: true });
  fs.rmSync(manageDir, { recursive: true, force: true });
  fs.mkdirSync(filesDir, { recursive: true });
  fs.mkdirSync(manageDir, { recursive: true });
  const result = buildSync({
    entryPoints: [path.join(SITE_SOURCE_DIR, 'src', 'book.ts'), path.join(SITE_SOURCE_DIR, 'src', 'manage.ts'), path.join(SITE_SOURCE_DIR, 'src', 'site.css')],
    outdir: filesDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    charset: 'utf8',
    logLevel: 'silent',
    absWorkingDir: path.resolve(SITE_SOURCE_DIR, '..'),
  });
  if (result.errors.length > 0) throw new Error(`building the patient pages failed: ${result.errors.map((error) => error.text).join('; ')}`);
  const pages = path.join(SITE_SOURCE_DIR, 'pages');
  fs.copyFileSync(path.join(pages, 'index.html'), path.join(filesDir, 'index.html'));
  fs.copyFileSync(path.join(pages, 'favicon.svg'), path.join(filesDir, 'favicon.svg'));
  fs.copyFileSync(path.join(pages, 'manage.html'), path.join(manageDir, 'manage'));
  return { filesDir, manageDir };
}
