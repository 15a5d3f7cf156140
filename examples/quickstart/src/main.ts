import { runQuickstart } from './runQuickstart.js';

// `node dist/main.js [--watch]`; configuration comes from STOWAGE_* variables (memory by default),
// e.g. STOWAGE_DRIVER=redis STOWAGE_REDIS_URL=redis://localhost:6379 node dist/main.js --watch
const watch = process.argv.includes('--watch');
const stopped = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
});

runQuickstart({ env: process.env, watch, print: (line) => console.log(line), stopped }).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(String(error));
    process.exit(1);
  },
);
