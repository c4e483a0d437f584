import type { Request, RequestHandler, Response } from 'express';
import type { Actor } from '../../../core/src/lifecycle/deps.ts';
import { AppError } from '../../../core/src/errors.ts';
import type { StaffRole } from '../../../db/src/tables/staff-user.table.ts';
import type { TokenClaims, TokenService } from './tokens.ts';

function bearer(req: Request): string {
  const header = req.headers.authorization;
  if (!header?.startsWith('Bearer ')) throw new AppError('UNAUTHENTICATED', 'missing bearer token');
  return header.slice(7);
}

/** The authenticated actor; the tenant scope of every query comes from here, never from the request body. */
export function actorOf(res: Response): Actor {
  const actor = res.locals.actor as Actor | undefined;
  if (!actor) throw new Error('route is missing an auth middleware');
  return actor;
}

export function staffOf(res: Response): Extract<TokenClaims, { kind: 'staff' }> {
  const claims = res.locals.claims as TokenClaims | undefined;
  if (claims?.kind !== 'staff') throw new Error('route is missing requireStaff');
  return claims;
}

export function requireCustomer(tokens: TokenService): RequestHandler {
  const admit = (res: Response, claims: TokenClaims): void => {
    if (claims.kind !== 'customer') throw new AppError('UNAUTHENTICATED', 'not a customer token');
    res.locals.claims = claims;
    res.locals.actor = { kind: 'customer', customerId: claims.customerId } satisfies Actor;
  };
  return (req, res, next) => {
    const token = bearer(req);
    // A token seen before goes through without a promise: this guards the booking hot path.
    const known = tokens.verifiedBefore(token, 'customer');
    if (known) {
      admit(res, known);
      next();
      return;
    }
    return tokens.verify(token, 'customer').then((claims) => {
      admit(res, claims);
      next();
    });
  };
}

/** Staff of a merchant; `roles` limits which roles may call the route (403 otherwise). */
export function requireStaff(tokens: TokenService, roles: readonly StaffRole[] = ['owner', 'manager', 'staff']): RequestHandler {
  return async (req, res, next) => {
    const claims = await tokens.verify(bearer(req), 'staff');
    if (claims.kind !== 'staff') throw new AppError('UNAUTHENTICATED', 'not a staff token');
    if (!roles.includes(claims.role)) throw new AppError('FORBIDDEN', `role ${claims.role} may not do this`);
    res.locals.claims = claims;
    res.locals.actor = { kind: 'merchant', merchantId: claims.merchantId, staffId: claims.staffId, storeId: claims.storeId } satisfies Actor;
    next();
  };
}
