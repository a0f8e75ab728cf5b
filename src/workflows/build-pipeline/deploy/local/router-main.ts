/**
 * The router's process entry: the local target spawns it detached (it outlives Baton) with its settings in the
 * environment, and it runs until SIGTERM.
 */
import { startRouter } from './router.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`router: ${name} is not set\n`);
    process.exit(2);
  }
  return value;
};

const server = await startRouter({
  port: Number(env('BATON_ROUTER_PORT')),
  host: process.env.BATON_ROUTER_HOST ?? '127.0.0.1',
  routesFile: env('BATON_ROUTER_ROUTES'),
  token: env('BATON_ROUTER_TOKEN'),
});
process.stdout.write(`router ${process.pid} listening on ${process.env.BATON_ROUTER_PORT}\n`);
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 2_000).unref();
});
