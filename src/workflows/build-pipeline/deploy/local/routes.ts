/**
 * What the local target's router forwards to: the live slot's instances, and the standby (the previous slot during
 * the watch window) tried when every live instance refuses. Shared by the router process and the target, which
 * writes it to the routes file (read by a router at start) and sends it to a running router on its control path.
 */
import { z } from 'zod';

export const Upstream = z.object({ host: z.string(), port: z.number().int().min(1).max(65535) });
export type Upstream = z.infer<typeof Upstream>;

export const Routes = z.object({
  generation: z.number().int().min(0),
  live: z.array(Upstream),
  standby: z.array(Upstream),
});
export type Routes = z.infer<typeof Routes>;

/** The router's control path (on its own port, loopback callers with the token only). */
export const ROUTER_CONTROL_PATH = '/__baton/router';
export const ROUTER_TOKEN_HEADER = 'x-baton-router-token';

/** What a GET on the control path answers: which process serves, what it routes to, and requests in flight per upstream. */
export const RouterState = z.object({
  pid: z.number().int(),
  port: z.number().int(),
  routes: Routes,
  inflight: z.record(z.string(), z.number().int()),
  served: z.number().int(),
  failed: z.number().int(),
  retried: z.number().int(),
});
export type RouterState = z.infer<typeof RouterState>;

export const upstreamKey = (upstream: Upstream) => `${upstream.host}:${upstream.port}`;
