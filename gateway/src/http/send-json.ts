import type { Response } from 'express';

/**
 * Writes a JSON answer straight through Node's response: the same bytes and headers as `res.status().json()`
 * without Express's content-type parsing and freshness checks, which cost the booking hot path more than
 * its own validation does. Only for bodies that need no ETag (every gateway answer: ETags are off).
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
}
