import type { Role } from '$contract/api';

/** Roles from the strongest down. */
export const roles: readonly Role[] = ['admin', 'organizer', 'caller'];

const rank: Record<Role, number> = { admin: 3, organizer: 2, caller: 1 };

export function atLeast(role: Role, needed: Role): boolean {
  return rank[role] >= rank[needed];
}

/** The roles a person with `role` may hand out: never above their own. */
export function grantableBy(role: Role): Role[] {
  return roles.filter((candidate) => rank[candidate] <= rank[role]);
}
