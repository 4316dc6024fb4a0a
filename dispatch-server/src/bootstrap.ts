import type { CityPack } from '@dispatch/routing';

import type { AuthService } from './auth/auth-service.ts';
import { generatePassword } from './auth/passwords.ts';
import { SYSTEM_ACTOR } from './audit/audit.ts';
import type { Logger } from './log.ts';
import type { Database } from './storage/database.ts';
import type { UnitService } from './units/unit-service.ts';

/**
 * Makes sure user `admin` exists. Its password is `adminPassword` when
 * given; otherwise one is generated and printed once, to the terminal
 * only, never to the log. An existing admin is left as it is.
 */
export async function ensureAdmin(
  auth: AuthService,
  adminPassword: string | undefined,
  log: Logger,
  print: (text: string) => void = (text) => process.stdout.write(text),
): Promise<void> {
  if (await auth.findUser('admin')) return;
  const password = adminPassword ?? generatePassword();
  await auth.createUser({ username: 'admin', password, role: 'admin' });
  if (adminPassword) {
    log.info(
      { username: 'admin' },
      'admin created from DISPATCH_ADMIN_PASSWORD',
    );
  } else {
    print(
      '\n  First start: user "admin" was created with the password\n\n' +
        `      ${password}\n\n` +
        '  It is shown only this once. Set DISPATCH_ADMIN_PASSWORD to choose\n' +
        '  one instead.\n\n',
    );
  }
}

/** Demo accounts; passwords are public, so demo data is opt-in. */
export const DEMO_USERS = [
  { username: 'dispatcher', password: 'dispatcher-demo', role: 'dispatcher' },
  { username: 'planner', password: 'planner-demo', role: 'planner' },
] as const;

/** Password of every demo crew account (`crew-<call sign>`). */
export const DEMO_CREW_PASSWORD = 'crew-demo-pass';

/**
 * Loads the demo fleet into an empty database: one ALS and one BLS unit
 * per station of the city pack, a crew account per unit, a dispatcher and
 * a planner. Does nothing when any unit exists.
 */
export async function loadDemo(
  db: Database,
  city: CityPack,
  auth: AuthService,
  units: UnitService,
  log: Logger,
): Promise<boolean> {
  const [row] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM units',
  );
  if ((row?.n ?? 0) > 0 || city.stationList.length === 0) return false;
  const missingUsers: (typeof DEMO_USERS)[number][] = [];
  for (const user of DEMO_USERS) {
    if (!(await auth.findUser(user.username))) missingUsers.push(user);
  }
  await db.transaction(async (tx) => {
    let n = 0;
    for (const station of city.stationList) {
      for (const capability of ['ALS', 'BLS'] as const) {
        n++;
        const callSign = `${capability === 'ALS' ? 'A' : 'B'}${String(n).padStart(2, '0')}`;
        const unit = await units.create(
          {
            callSign,
            capability,
            station: station.location,
            stationName: station.name,
            trackerId: `demo-${callSign.toLowerCase()}`,
          },
          SYSTEM_ACTOR,
          tx,
        );
        await auth.createUser(
          {
            username: `crew-${callSign.toLowerCase()}`,
            password: DEMO_CREW_PASSWORD,
            role: 'crew',
            unitId: unit.id,
          },
          tx,
        );
      }
    }
    for (const user of missingUsers) await auth.createUser({ ...user }, tx);
  });
  log.info({ city: city.id }, 'demo fleet and users loaded');
  return true;
}
