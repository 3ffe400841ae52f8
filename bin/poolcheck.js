#!/usr/bin/env node
// The published entry point runs the compiled CLI; `npm ci` builds dist/ through `prepare`.
import { main } from '../dist/cli/main.js';
import { exitQuietlyOnClosedPipe } from '../dist/cli/pipe.js';

exitQuietlyOnClosedPipe();
process.exitCode = await main(process.argv.slice(2));
