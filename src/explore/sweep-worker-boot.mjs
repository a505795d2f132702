// Entry of a sweep worker thread. Worker threads do not inherit the tsx
// loader hooks of the thread that starts them (not even through execArgv's
// --import), so the worker registers them itself, then loads the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./sweep-worker.ts');
