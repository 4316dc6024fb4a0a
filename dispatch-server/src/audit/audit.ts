import type { Principal } from '../auth/roles.ts';
import type { Queryable } from '../storage/database.ts';

/** Who did something and from where: the context of every write. */
export interface Actor {
  /** Undefined for the system itself (auto-dispatch, bootstrap). */
  principal: Principal | undefined;
  ip?: string | undefined;
}

/** The system acting on its own (auto-dispatch, closing, bootstrap). */
export const SYSTEM_ACTOR: Actor = { principal: undefined };

/**
 * Appends one line to the audit trail, inside the caller's transaction so
 * the trail and the change commit together. `details` must hold no
 * personal data (no caller phone, no complaint): the trail is for
 * accountability, and is read more widely than incident records.
 */
export async function audit(
  tx: Queryable,
  actor: Actor,
  action: string,
  target: { type: string; id: string | number },
  details: Record<string, unknown> = {},
): Promise<void> {
  await tx.query(
    `INSERT INTO audit_log
       (actor_user_id, actor_role, action, target_type, target_id, ip, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [
      actor.principal?.userId ?? null,
      actor.principal?.role ?? 'system',
      action,
      target.type,
      String(target.id),
      actor.ip ?? null,
      JSON.stringify(details),
    ],
  );
}
