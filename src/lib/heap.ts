import v8 from 'node:v8';

/**
 * The web server's V8 heap settings, for a process that serves many requests
 * for days. Left to itself V8 lets the old generation grow to several times
 * what is live before a full collection, and a store under load keeps
 * promoting request garbage there: a web process whose live heap is ~70 MB
 * (100,000 products indexed) sat at 330–345 MB under load. Two settings keep
 * it under 200 MB (npm run bench, "web process RSS"), for about a fifth of
 * its peak request rate spent on the extra collections (README, Benchmarks):
 *
 *  - the old generation may grow 30 % past what the last full collection
 *    left live before the next one (set here: V8 reads it at each
 *    collection, so it can be set once running);
 *  - a young generation of 8 MB semi-spaces instead of 16 MB:
 *    `--max-semi-space-size=8`, which V8 only takes at start-up, so every
 *    command that starts the web server passes it (package.json `start`,
 *    deploy/giggatek.service, the Dockerfile; `npm run check:deploy` checks
 *    they agree).
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=8'];

export function tuneServerHeap(): void {
  v8.setFlagsFromString('--heap-growing-percent=30');
}
