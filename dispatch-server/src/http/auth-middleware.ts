import type { NextFunction, Request, Response } from 'express';

import type { AuthService } from '../auth/auth-service.ts';
import { can, type Permission, type Principal } from '../auth/roles.ts';
import type { Actor } from '../audit/audit.ts';
import { DispatchError } from '../errors.ts';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by {@link authenticate} once the bearer token checks out. */
    principal?: Principal;
  }
}

/** The bearer token of a request, or undefined. */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+([\w-]{20,200})$/i.exec(header.trim());
  if (!match) throw new DispatchError('AUTH_TOKEN_INVALID');
  return match[1];
}

/** Refuses requests without a valid token; sets `req.principal`. */
export function authenticate(auth: AuthService) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const token = bearerToken(req);
    if (!token) throw new DispatchError('AUTH_REQUIRED');
    req.principal = await auth.authenticate(token);
    next();
  };
}

/** Refuses a role that does not hold `permission` (403 FORBIDDEN). */
export function allow(permission: Permission) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const principal = req.principal;
    if (!principal) throw new DispatchError('AUTH_REQUIRED');
    if (!can(principal.role, permission)) {
      throw new DispatchError(
        'FORBIDDEN',
        `role ${principal.role} may not ${permission.replace(':', ' ')}`,
      );
    }
    next();
  };
}

/** The actor of a request, for the audit trail. */
export function actorOf(req: Request): Actor {
  return { principal: req.principal, ip: req.ip };
}
