import type { IncomingMessage } from 'node:http';

/**
 * Whether a request says its body is JSON: media type `application/json`, any parameters, any case.
 * The same answer as body-parser's default check (type-is), without parsing the media type into
 * objects on every request of the booking hot path.
 */
export function isJsonRequest(req: IncomingMessage): boolean {
  const header = req.headers['content-type'];
  if (header === undefined) return false;
  const end = header.indexOf(';');
  const mediaType = (end === -1 ? header : header.slice(0, end)).trim();
  return mediaType.length === 16 && mediaType.toLowerCase() === 'application/json';
}
