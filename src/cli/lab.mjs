#!/usr/bin/env node
// `lab` entry point: registers tsx so the TypeScript core runs in Node unchanged, then hands over.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
