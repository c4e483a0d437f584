import { randomUUID } from 'node:crypto';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Clock } from '../../../core/src/clock.ts';
import { AppError } from '../../../core/src/errors.ts';
import type { StaffRole } from '../../../db/src/tables/staff-user.table.ts';

export type TokenClaims =
  | { kind: 'customer'; customerId: number }
  | { kind: 'staff'; staffId: number; merchantId: number; storeId: number | null; role: StaffRole };

const AUDIENCE = { customer: 'zhiyue:consumer', staff: 'zhiyue:merchant' } as const;

export interface TokenService {
  issue(claims: TokenClaims): Promise<{ token: string; expiresAt: number }>;
  verify(token: string, kind: TokenClaims['kind']): Promise<TokenClaims>;
  /** The claims of a token verified before and not expired yet, without waiting; undefined = call verify. */
  verifiedBefore(token: string, kind: TokenClaims['kind']): TokenClaims | undefined;
}

/**
 * Short-lived HS256 tokens. Verified tokens are cached until shortly before
 * they expire: HMAC checks cost little, but on the booking path every
 * microsecond is shared by thousands of requests a second.
 */
export function createTokenService(options: { secret: string; issuer: string; clock: Clock; ttlSeconds: Record<TokenClaims['kind'], number> }): TokenService {
  const key = new TextEncoder().encode(options.secret);
  const cache = new LRUCache<string, { claims: TokenClaims; expiresAt: number }>({ max: 200_000 });

  return {
    async issue(claims) {
      const nowSeconds = Math.floor(options.clock.now() / 1000);
      const expiresAt = (nowSeconds + options.ttlSeconds[claims.kind]) * 1000;
      const payload = claims.kind === 'customer' ? {} : { mid: claims.merchantId, sid: claims.storeId, role: claims.role };
      const token = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(String(claims.kind === 'customer' ? claims.customerId : claims.staffId))
        .setIssuer(options.issuer)
        .setAudience(AUDIENCE[claims.kind])
        .setIssuedAt(nowSeconds)
        .setExpirationTime(expiresAt / 1000)
        .setJti(randomUUID())
        .sign(key);
      return { token, expiresAt };
    },

    verifiedBefore(token, kind) {
      const cached = cache.get(token);
      return cached && cached.expiresAt > options.clock.now() && cached.claims.kind === kind ? cached.claims : undefined;
    },

    async verify(token, kind) {
      const now = options.clock.now();
      const cached = cache.get(token);
      if (cached && cached.expiresAt > now && cached.claims.kind === kind) return cached.claims;
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: options.issuer,
          audience: AUDIENCE[kind],
          currentDate: new Date(now),
          requiredClaims: ['sub', 'exp', 'iat', 'jti'],
        });
        const subject = Number(payload.sub);
        if (!Number.isSafeInteger(subject) || subject <= 0) throw new Error('bad subject');
        let claims: TokenClaims;
        if (kind === 'customer') {
          claims = { kind, customerId: subject };
        } else {
          const role = payload.role;
          if (typeof payload.mid !== 'number' || (role !== 'owner' && role !== 'manager' && role !== 'staff')) throw new Error('bad staff claims');
          claims = { kind, staffId: subject, merchantId: payload.mid, storeId: typeof payload.sid === 'number' ? payload.sid : null, role };
        }
        cache.set(token, { claims, expiresAt: (payload.exp ?? 0) * 1000 });
        return claims;
      } catch (error) {
        const expired = error instanceof joseErrors.JWTExpired;
        throw new AppError('UNAUTHENTICATED', expired ? 'token expired' : 'invalid token', {}, { cause: error });
      }
    },
  };
}
