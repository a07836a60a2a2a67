// The invitation links of one organisation, for its page.
import type { CreatedInvite, CreateInviteRequest, InviteView } from '$contract/api';
import { api } from '$lib/api/client';

export class Invites {
  list = $state<InviteView[]>([]);
  loaded = $state(false);

  constructor(readonly orgId: string) {}

  async load(): Promise<void> {
    const { invites } = await api.invites(this.orgId);
    this.list = invites;
    this.loaded = true;
  }

  /** The answer carries the link, which the server shows only this once. */
  async create(request: CreateInviteRequest): Promise<CreatedInvite> {
    const created = await api.createInvite(this.orgId, request);
    this.list = [created.invite, ...this.list];
    return created;
  }

  async revoke(inviteId: string): Promise<void> {
    await api.revokeInvite(this.orgId, inviteId);
    // The server decides the new status and its time; read it back.
    await this.load();
  }
}
