import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenLocally } from '../../testing/listen.ts';
import { sendJson } from './send-json.ts';

describe('sendJson', () => {
  let base = '';
  let close = async () => {};
  const body = { bookingId: '01ABC-1', status: 'PENDING', note: '洗剪吹 ✂' };

  beforeAll(async () => {
    const app = express();
    app.set('etag', false);
    app.post('/fast', (_req, res) => sendJson(res, 202, body));
    app.post('/express', (_req, res) => {
      res.status(202).json(body);
    });
    ({ base, close } = await listenLocally(app));
  });
  afterAll(() => close());

  it('answers with the same status, headers and bytes as res.status().json()', async () => {
    const [fast, viaExpress] = await Promise.all([fetch(`${base}/fast`, { method: 'POST' }), fetch(`${base}/express`, { method: 'POST' })]);
    expect(fast.status).toBe(202);
    expect(fast.status).toBe(viaExpress.status);
    for (const header of ['content-type', 'content-length']) expect(fast.headers.get(header), header).toBe(viaExpress.headers.get(header));
    const [fastText, expressText] = await Promise.all([fast.text(), viaExpress.text()]);
    expect(fastText).toBe(expressText);
    expect(JSON.parse(fastText)).toEqual(body);
  });
});
