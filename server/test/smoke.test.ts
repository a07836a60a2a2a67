import { afterAll, beforeAll, expect, test } from 'vitest';
import { TestContext } from './harness';

let t: TestContext;
beforeAll(async () => {
  t = await TestContext.create();
});
afterAll(() => t.close());

test('health answers ok when the database answers', async () => {
  const res = await t.request('GET', '/api/health');
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({ ok: true });
});

test('sign in and see memberships', async () => {
  const org = await t.newOrg({ name: 'Norrbotten', kind: 'district' });
  const child = await t.newOrg({ parent: org, name: 'Luleå' });
  const user = await t.newUser([{ org: child, role: 'organizer' }]);
  const cookie = await t.login(user);
  const me = await t.me(cookie);
  expect(me.memberships).toEqual([
    { organisationId: child.id, organisationName: 'Luleå', organisationKind: 'association', organisationPath: 'Norrbotten / Luleå', role: 'organizer' },
  ]);
});
