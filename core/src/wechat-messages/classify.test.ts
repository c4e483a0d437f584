import { describe, expect, it } from 'vitest';
import { classifyErrcode, TOKEN_REJECTED_ERRCODES } from './classify.ts';

describe('classifyErrcode', () => {
  it.each([
    [43101, 'NO_CONSENT', false],
    [47003, 'INVALID_DATA', false],
    [47001, 'INVALID_DATA', false],
    [40037, 'INVALID_TEMPLATE', false],
    [40003, 'INVALID_OPENID', false],
    [41030, 'INVALID_PAGE', false],
    [45009, 'RATE_LIMITED', true],
    [45011, 'RATE_LIMITED', true],
    [40001, 'TOKEN_REJECTED', true],
    [42001, 'TOKEN_REJECTED', true],
    [40014, 'TOKEN_REJECTED', true],
    [40013, 'CONFIG', false],
    [40125, 'CONFIG', false],
    [40164, 'CONFIG', false],
    [-1, 'SYSTEM', true],
    [99999, 'UNKNOWN', false],
  ] as const)('errcode %i → %s (retryable %s)', (errcode, reason, retryable) => {
    expect(classifyErrcode(errcode)).toStrictEqual({ reason, retryable });
  });

  it('treats exactly the three token codes of §2.3 as "refresh the token"', () => {
    expect([...TOKEN_REJECTED_ERRCODES].sort()).toEqual([40001, 40014, 42001]);
  });
});
