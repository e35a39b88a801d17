#!/usr/bin/env node
// Runs the CLI from the TypeScript sources (tsx compiles on the fly and caches), so a checkout needs
// no build step: `npm run --silent signet -- <command>`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/adapters/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
