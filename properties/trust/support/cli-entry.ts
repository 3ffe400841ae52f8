// bin/poolcheck.js, from the sources instead of dist/.
import { main } from '../../../src/cli/main.js';
import { exitQuietlyOnClosedPipe } from '../../../src/cli/pipe.js';

exitQuietlyOnClosedPipe();
process.exitCode = await main(process.argv.slice(2));
