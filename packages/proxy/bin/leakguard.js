#!/usr/bin/env node
// The `leakguard` command: the built CLI (run `pnpm build` first when working from a clone).
import '../dist/cli/main.js';
