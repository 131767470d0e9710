/** Walks an Express 5 app's router (sub-routers included), so tests can check a rule on every route. */

export interface Endpoint {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] } & ((...args: unknown[]) => unknown);
  name?: string;
  rawPath?: unknown;
}

export const STATE_CHANGING = ['post', 'put', 'patch', 'delete'];
const ALL_METHODS = ['get', ...STATE_CHANGING];

function join(prefix: string, path: string): string {
  const joined = `${prefix.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  return joined.length > 1 ? joined.replace(/\/+$/, '') : '/';
}

function walk(stack: Layer[], prefix: string): Endpoint[] {
  const found: Endpoint[] = [];
  for (const layer of stack) {
    const paths = ([] as unknown[]).concat(layer.route ? layer.route.path : layer.rawPath ?? '/');
    for (const p of paths) {
      if (typeof p !== 'string') throw new Error(`Route path ${String(p)} is not a string; teach this walker to build a sample URL for it`);
      if (layer.route) {
        const methods = Object.keys(layer.route.methods).flatMap((m) => (m === '_all' ? ALL_METHODS : [m]));
        for (const method of methods.filter((m) => ALL_METHODS.includes(m))) found.push({ method, path: join(prefix, p) });
      } else if (layer.handle?.stack) {
        found.push(...walk(layer.handle.stack, join(prefix, p)));
      } else if (layer.name === 'mounted_app') {
        // A mounted sub-app hides its routes: probe its mount point.
        for (const method of STATE_CHANGING.slice(0, 1)) found.push({ method, path: join(join(prefix, p), 'csrf-probe') });
      }
    }
  }
  return found;
}

/** Every GET and state-changing route of the app. */
export function appRoutes(app: unknown): Endpoint[] {
  return walk((app as { router: { stack: Layer[] } }).router.stack, '');
}

/** A concrete URL for a route pattern: parameters become 1, optional groups are dropped. */
export function sampleUrl(pattern: string, params: Record<string, string> = {}): string {
  return pattern.replace(/\{[^}]*\}/g, '').replace(/:(\w+)/g, (_m, name: string) => params[name] ?? '1').replace(/\*(\w+)/g, 'x') || '/';
}
