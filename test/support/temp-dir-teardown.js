// Removes the run's temporary directory (see temp-dir-setup.js).
const fs = require('node:fs');

module.exports = async function teardown() {
  const dir = process.env.LJ_TEST_TMPDIR;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
};
