import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SynthesisFailedError, synthesizeAssembly } from '../../../local/topology';

/** The CDK app is a parameter: any module exporting `buildApp` is synthesized, nothing else is loaded. */
describe('synthesizeAssembly with a given app module', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'app-module-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("calls the given module's buildApp with the stage, outdir and context", async () => {
    const app = join(dir, 'app.js');
    writeFileSync(
      app,
      `exports.buildApp = (options) => ({ synth: () => { require('node:fs').writeFileSync(require('node:path').join(options.outdir, 'called.json'), JSON.stringify(options)); return { directory: options.outdir }; } });`,
    );
    const outdir = join(dir, 'out');
    mkdirSync(outdir);

    const directory = await synthesizeAssembly({ app, stage: 'staging', outdir, context: { answer: 42 } });

    expect(directory).toBe(outdir);
    expect(JSON.parse(readFileSync(join(outdir, 'called.json'), 'utf8'))).toEqual({ stage: 'staging', outdir, context: { answer: 42 } });
  });

  it('names a module that cannot be loaded', async () => {
    const attempt = synthesizeAssembly({ app: join(dir, 'missing-app'), outdir: dir });
    await expect(attempt).rejects.toThrow(SynthesisFailedError);
    await expect(attempt).rejects.toThrow(/cannot load the CDK app .*missing-app/);
  });

  it('names a module that exports no buildApp', async () => {
    const app = join(dir, 'not-an-app.js');
    writeFileSync(app, 'exports.somethingElse = 1;');
    await expect(synthesizeAssembly({ app, outdir: dir })).rejects.toThrow(/not-an-app\.js exports no buildApp function/);
  });
});
