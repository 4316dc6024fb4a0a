/** The roles a user can have. */
export const ROLES = ['dispatcher', 'crew', 'planner', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is making a request, once their token has been checked. */
export interface Principal {
  userId: number;
  username: string;
  role: Role;
  /** The crew's own unit; set for role `crew` only. */
  unitId: number | null;
  /** SHA-256 of the bearer token, to revoke or disconnect it. */
  tokenHash: string;
}

/**
 * What each role may do. A crew acts only for its own unit; that check
 * sits beside the action, since it needs the unit.
 */
export const PERMISSIONS = {
  'incidents:read': ['dispatcher', 'planner', 'admin'],
  'incidents:write': ['dispatcher', 'admin'],
  'units:read': ['dispatcher', 'planner', 'admin', 'crew'],
  'units:write': ['dispatcher', 'admin'],
  'units:status': ['dispatcher', 'admin', 'crew'],
  /** GPS batches: a crew for its own unit, an admin for a gateway. */
  'units:positions': ['admin', 'crew'],
  'metrics:read': ['dispatcher', 'planner', 'admin'],
  'users:admin': ['admin'],
  'console:connect': ['dispatcher', 'planner', 'admin'],
  'tablet:connect': ['crew'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/** Whether `role` holds `permission`. */
export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
