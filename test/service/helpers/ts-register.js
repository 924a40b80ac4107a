// Kept for child processes that tests start with `node -r <this file> x.ts`: the hook itself is
// scripts/ts-register.js, which the inference worker pool also uses when it runs from source.
require('../../../scripts/ts-register.js');
