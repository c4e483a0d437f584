import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isJsonRequest } from './json-body.ts';

const request = (contentType: string | undefined) => ({ headers: contentType === undefined ? {} : { 'content-type': contentType } }) as IncomingMessage;

describe('isJsonRequest', () => {
  const cases: [string | undefined, boolean][] = [
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['Application/JSON;charset=UTF-8', true],
    [' application/json ', true],
    ['application/jsonx', false],
    ['application/x-json', false],
    ['application/problem+json', false],
    ['text/json', false],
    ['text/plain', false],
    ['multipart/form-data; boundary=x', false],
    ['', false],
    [undefined, false],
  ];
  it.each(cases)('%j → %s', (contentType, expected) => {
    expect(isJsonRequest(request(contentType))).toBe(expected);
  });
});
