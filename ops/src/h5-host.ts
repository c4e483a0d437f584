/**
 * `npm run h5:host`: serves the consumer mini program's H5 build (Taro, `npm run build:h5 --prefix
 * miniprogram`) on http://127.0.0.1:8088/ for phones and browsers. The gateway allows this origin by
 * CORS in development (gateway CORS_ORIGINS).
 *
 *   H5_DIST_DIR  the build directory (default miniprogram/dist/h5 of this repository; relative = from the working directory)
 *   H5_PORT      default 8088 (0 = any free port)
 *   H5_HOST      default 127.0.0.1
 *
 * Files are served as they are; a GET for a path without a file extension that is not a file (a client-side
 * route such as /pages/store/index) gets index.html. A missing file with an extension is a 404, so a stale
 * script URL fails loudly instead of receiving HTML. Bundles under js/, css/, static/ and assets/ carry a
 * content hash in their names and are cached for a year; index.html is never cached, so a new build shows
 * on the next load.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import express from 'express';
import { z } from 'zod';
import { parseEnv } from '../../core/src/config/env.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const DEFAULT_H5_DIR = path.join(REPO_ROOT, 'miniprogram/dist/h5');

/** Top-level folders whose files have content-hashed names (Taro/webpack and Vite output). */
const HASHED_DIRS = new Set(['js', 'css', 'static', 'assets']);
const LONG_CACHE = 'public, max-age=31536000, immutable';

export class H5BuildMissing extends Error {
  readonly dir: string;
  constructor(dir: string) {
    super(`no H5 build in ${dir} (index.html is missing): run \`npm run build:h5 --prefix miniprogram\` first, or point H5_DIST_DIR at a build`);
    this.name = 'H5BuildMissing';
    this.dir = dir;
  }
}

export interface H5Host {
  url: string;
  close(): Promise<void>;
}

export function h5App(dir: string): express.Express {
  const root = path.resolve(dir);
  const indexFile = path.join(root, 'index.html');
  const app = express();
  app.disable('x-powered-by');
  app.use(
    express.static(root, {
      index: false,
      setHeaders(res, file) {
        const top = path.relative(root, file).split(path.sep)[0] ?? '';
        res.setHeader('Cache-Control', HASHED_DIRS.has(top) ? LONG_CACHE : 'no-cache');
      },
    }),
  );
  app.use((req, res) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && path.extname(req.path) === '') {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(indexFile);
      return;
    }
    res.status(404).type('text/plain').send('not found');
  });
  return app;
}

/** Serves `dir` until close(); throws H5BuildMissing when the directory has no index.html. */
export async function startH5Host(options: { dir: string; port: number; host: string }): Promise<H5Host> {
  const dir = path.resolve(options.dir);
  if (!existsSync(path.join(dir, 'index.html'))) throw new H5BuildMissing(dir);
  const server = createServer(h5App(dir));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

if (import.meta.main) {
  const env = parseEnv(
    {
      H5_DIST_DIR: z.string().default(DEFAULT_H5_DIR),
      H5_PORT: z.coerce.number().int().min(0).max(65535).default(8088),
      H5_HOST: z.string().default('127.0.0.1'),
    },
    process.env,
  );
  let host: H5Host;
  try {
    host = await startH5Host({ dir: env.H5_DIST_DIR, port: env.H5_PORT, host: env.H5_HOST });
  } catch (err) {
    console.error(err instanceof H5BuildMissing ? `h5-host: ${err.message}` : err);
    process.exit(1);
  }
  console.log(`h5-host: serving ${path.resolve(env.H5_DIST_DIR)} at ${host.url}/`);
  const shutdown = async (signal: string) => {
    console.log(`h5-host: ${signal}, closing`);
    await host.close();
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void shutdown(signal));
  process.once('SIGINT', (signal) => void shutdown(signal));
}
