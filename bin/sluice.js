#!/usr/bin/env node
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'services', 'cli', 'src', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('sluice: not built yet; run `npm run build` (or `npm start`, which builds first)\n');
  process.exit(1);
}
require('reflect-metadata');
require(entry).main();
