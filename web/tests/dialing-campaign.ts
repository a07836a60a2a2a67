// A dialing campaign to call in, for the dialer's browser tests: an association with an organizer and a
// caller, a list of the people given, and a campaign on the simulated line, open for calling around the clock.
import path from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { CampaignDialMode } from '../../server/src/contract/api';
import { createUser } from '../../server/src/modules/accounts/accounts.service';
import { changeStatus, createCampaign } from '../../server/src/modules/campaigns/campaigns.service';
import { ALWAYS_WINDOW, DEFAULT_OUTCOMES } from '../../server/src/modules/campaigns/outcomes';
import { addMembership, insertOrganisation } from '../../server/src/modules/organisations/organisations.service';
import { createGroupAsSystem } from '../../server/src/modules/target-groups/target-groups.service';
import { MEMBER_REGISTER, PASSWORD, type TestServer } from '../../server/test/harness';

export const CAMPAIGN = 'Ringkväll med kraft';

export async function dialingCampaign(
  server: TestServer,
  options: { organisation: string; organizer: { name: string; email: string }; caller: { name: string; email: string }; csv: string; dialMode: CampaignDialMode; linesPerCaller?: number },
): Promise<{ campaignId: string; callerId: string }> {
  const { db } = server;
  const { clock, importer } = server.app.ctx;
  const org = await insertOrganisation(db, clock, null, { name: options.organisation, kind: 'association', country: 'SE' }, null);
  const organizer = await createUser(db, clock, { ...options.organizer, password: PASSWORD });
  await addMembership(db, clock, organizer.id, org.id, 'organizer', null);
  const caller = await createUser(db, clock, { ...options.caller, password: PASSWORD });
  await addMembership(db, clock, caller.id, org.id, 'caller', null);
  const filePath = path.join(mkdtempSync(path.join(tmpdir(), 'ringa-dialing-')), 'lista.csv');
  writeFileSync(filePath, options.csv);
  const listId = await importer.start({ organisationId: org.id, name: 'Lista', country: 'SE', filePath, originalName: 'lista.csv', source: MEMBER_REGISTER, createdBy: organizer.id, removeFile: true });
  await importer.wait(listId);
  const group = await createGroupAsSystem(db, clock, org.id, { name: 'Lista', listIds: [listId], filters: [] });
  const campaign = await createCampaign(db, clock, organizer.id, org.id, {
    name: CAMPAIGN,
    callingWindow: ALWAYS_WINDOW,
    dialing: 'simulated',
    dialMode: options.dialMode,
    ...(options.linesPerCaller !== undefined ? { linesPerCaller: options.linesPerCaller } : {}),
    shownAttributes: ['Ort'],
    targetGroupIds: [group.id],
    script: 'Hej **{first_name}**! Jag heter {caller_name}.',
    questions: [{ id: 'join', kind: 'yes-no', text: 'Vill **{first_name}** bli medlem?', tags: ['recruit'] }],
    outcomes: DEFAULT_OUTCOMES,
  });
  await changeStatus(db, clock, organizer.id, campaign.id, 'active');
  return { campaignId: campaign.id, callerId: caller.id };
}
