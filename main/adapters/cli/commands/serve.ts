import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignetError } from '../../../core/errors.ts';
import { int, str, type Command } from '../command.ts';

/** The built renderer: `out/renderer` of the checkout or package this file lives in. */
function findRendererDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 8; depth++) {
    const candidate = join(dir, 'out', 'renderer');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    dir = dirname(dir);
  }
  throw new SignetError('ERR_NOT_FOUND', 'the console is not built yet: run "npm run build" (npm start does it for you)');
}

export const serveCommands: Command[] = [
  {
    name: 'serve',
    summary: 'browser mode: serve the console on 127.0.0.1 with a random token',
    usage: '[--port P] [--renderer DIR]',
    // On a fresh machine there is no keystore yet: the console opens on its set-up screen.
    createsStore: true,
    options: { port: { type: 'string' }, renderer: { type: 'string' } },
    async run(ctx, values) {
      const port = int(values, 'port');
      if (port !== undefined && port > 65535) throw new SignetError('ERR_BAD_INPUT', `--port takes a port from 1 to 65535, not ${port} (0 or none: a free one)`);
      const session = ctx.openSession();
      // Loaded here, not at the top: every other command starts without the server and mail code.
      const [{ startServer }, { startNotificationTimer }] = await Promise.all([import('../../http/server.ts'), import('../../../services/notifications/index.ts')]);
      const server = await startServer({ session, rendererDir: str(values, 'renderer') ?? findRendererDir(), ...(port !== undefined && { port }) });
      // Reminders and status notifications go out while the console runs (failures stay queued, visible in it).
      const timer = startNotificationTimer(session, { onError: () => undefined });
      if (ctx.json) ctx.printJson({ url: server.url, openUrl: server.openUrl, port: server.port });
      else ctx.print(`Signet console (browser mode) on 127.0.0.1 only. Open:\n\n  ${server.openUrl}\n\nThe link carries this run's token; stop with Ctrl+C.`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      timer.stop();
      await server.close();
    },
  },
];
