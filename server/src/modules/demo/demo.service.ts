import type { Database } from '../../../../db/database';
import type { Clock } from '../../clock';
import type { Role } from '../../contract/api';
import { createUser, findUserIdByEmail } from '../accounts/accounts.service';
import { addMembership, ensureOrganisationPath } from '../organisations/organisations.service';

export const DEMO_PASSWORD = 'ringa-demo-2026';

const DISTRICT = 'Socialdemokraterna i Norrbotten';
const TREE = [
  `${DISTRICT}/Luleå arbetarekommun/S-föreningen Centrum`,
  `${DISTRICT}/Luleå arbetarekommun/S-föreningen Björkskatan`,
  `${DISTRICT}/Piteå arbetarekommun/S-föreningen Öjebyn`,
  `${DISTRICT}/Piteå arbetarekommun/S-föreningen Norrfjärden`,
];
const KINDS = ['partidistrikt', 'arbetarekommun', 'S-förening'];

const USERS: { email: string; name: string; path: string; role: Role }[] = [
  { email: 'admin@demo.ringa.local', name: 'Anna Admin', path: DISTRICT, role: 'admin' },
  { email: 'distrikt@demo.ringa.local', name: 'Dan Distrikt', path: DISTRICT, role: 'organizer' },
  { email: 'lulea@demo.ringa.local', name: 'Lena Luleå', path: `${DISTRICT}/Luleå arbetarekommun`, role: 'organizer' },
  { email: 'centrum@demo.ringa.local', name: 'Cecilia Centrum', path: TREE[0] ?? DISTRICT, role: 'organizer' },
  { email: 'ringare@demo.ringa.local', name: 'Rikard Ringare', path: TREE[0] ?? DISTRICT, role: 'caller' },
  { email: 'ringare2@demo.ringa.local', name: 'Sara Ringare', path: TREE[2] ?? DISTRICT, role: 'caller' },
];

export interface DemoSignIn {
  email: string;
  password: string;
  name: string;
  role: Role;
  organisation: string;
}

/** Seeds a demo district: two municipalities, four associations and a user of every role. Idempotent. */
export async function seedDemo(db: Database, clock: Clock): Promise<DemoSignIn[]> {
  return db.transaction().execute(async (trx) => {
    for (const path of TREE) await ensureOrganisationPath(trx, clock, path, { country: 'SE', kinds: KINDS });
    const signIns: DemoSignIn[] = [];
    for (const user of USERS) {
      const organisation = await ensureOrganisationPath(trx, clock, user.path, { country: 'SE', kinds: KINDS });
      const existing = await findUserIdByEmail(trx, user.email);
      const userId = existing ?? (await createUser(trx, clock, { email: user.email, name: user.name, password: DEMO_PASSWORD })).id;
      if (!existing) await addMembership(trx, clock, userId, organisation.id, user.role, null);
      signIns.push({ email: user.email, password: DEMO_PASSWORD, name: user.name, role: user.role, organisation: user.path });
    }
    return signIns;
  });
}
