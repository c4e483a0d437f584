/**
 * The bench's baseline: the smallest Express 5 app that answers JSON, in its
 * own process like the gateway, so "accept path ÷ hello world" shows what the
 * booking path costs on top of Node + Express on this machine. Prints
 * `{"port":…}` on stdout once listening.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';
import { z } from 'zod';
import { parseEnv } from '../../../core/src/config/env.ts';

const env = parseEnv({ HELLO_PORT: z.coerce.number().int().min(0).max(65535).default(0) }, process.env);

const app = express();
app.disable('x-powered-by');
app.get('/hello', (_req, res) => {
  res.json({ hello: 'world' });
});

const server = app.listen(env.HELLO_PORT, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
// Same keep-alive as the gateway, so both are measured on the same terms.
server.keepAliveTimeout = 65_000;
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
