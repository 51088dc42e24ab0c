// Every test run gets its own temporary directory, removed when the run ends: CDK synthesis
// (Template.fromStack, buildApp without an outdir), synthesized assemblies, emulator data and the
// like all go to os.tmpdir(), and would otherwise pile up across runs. Workers inherit TMPDIR.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

module.exports = async function setup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lj-tests-'));
  process.env.LJ_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
};
