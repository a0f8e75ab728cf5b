#!/usr/bin/env node
// Runs the compiled CLI (`npm install` builds it; `npm run build` after changes).
import '../dist/cli/main.js';
