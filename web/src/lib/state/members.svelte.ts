// The members of one organisation, for its page.
import type { MemberView, ResetLink, Role } from '$contract/api';
import { api } from '$lib/api/client';

export class Members {
  list = $state<MemberView[]>([]);
  loaded = $state(false);
  /** Also the members of every organisation beneath this one (shown, managed in their own organisation). */
  subOrganisations = $state(false);

  constructor(readonly orgId: string) {}

  async load(): Promise<void> {
    const { members } = await api.members(this.orgId, this.subOrganisations);
    this.list = members;
    this.loaded = true;
  }

  async changeRole(userId: string, role: Role): Promise<MemberView> {
    const updated = await api.changeRole(this.orgId, userId, { role });
    this.list = this.list.map((member) => (member.userId === userId && member.organisationId === this.orgId ? updated : member));
    return updated;
  }

  /** A one-time link for the member to set a new password; shown once, passed on by whoever made it. */
  resetLink(userId: string): Promise<ResetLink> {
    return api.resetLink(this.orgId, userId);
  }

  async remove(userId: string): Promise<void> {
    await api.removeMember(this.orgId, userId);
    this.list = this.list.filter((member) => member.userId !== userId || member.organisationId !== this.orgId);
  }

  /** Disables the person's account (signing them out everywhere), then reloads the list as the server now sees it. */
  async disable(userId: string): Promise<void> {
    await api.disableUser(this.orgId, userId);
    await this.load();
  }
}
