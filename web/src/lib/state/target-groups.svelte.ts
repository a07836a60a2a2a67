// The target groups of one organisation and what the editor needs: the ready lists and their attributes.
import type { AttributeSummary, ListView, TargetGroupFilter, TargetGroupInput, TargetGroupSize, TargetGroupView } from '$contract/api';
import { targetingApi } from '$lib/api/client';
import type { Messages } from '$lib/i18n/index.svelte';

export type Attribute = AttributeSummary['attributes'][number];
export type FilterOp = TargetGroupFilter['op'];

export class TargetGroups {
  list = $state<TargetGroupView[]>([]);
  /** Lists whose import is done: only those can be used. */
  readyLists = $state<ListView[]>([]);
  loaded = $state(false);

  constructor(readonly orgId: string) {}

  async load(): Promise<void> {
    const [{ targetGroups }, { lists }] = await Promise.all([targetingApi.targetGroups(this.orgId), targetingApi.lists(this.orgId)]);
    this.list = targetGroups;
    this.readyLists = lists.filter((list) => list.status === 'ready');
    this.loaded = true;
  }

  async create(input: TargetGroupInput): Promise<TargetGroupView> {
    const created = await targetingApi.createTargetGroup(this.orgId, input);
    this.list = [created, ...this.list];
    return created;
  }

  async update(groupId: string, input: TargetGroupInput): Promise<TargetGroupView> {
    const updated = await targetingApi.updateTargetGroup(groupId, input);
    this.list = this.list.map((group) => (group.id === groupId ? updated : group));
    return updated;
  }

  async remove(groupId: string): Promise<void> {
    await targetingApi.removeTargetGroup(groupId);
    this.list = this.list.filter((group) => group.id !== groupId);
  }

  async attributes(listIds: readonly string[]): Promise<Attribute[]> {
    if (listIds.length === 0) return [];
    const { attributes } = await targetingApi.attributes(this.orgId, listIds);
    return attributes;
  }

  size(listIds: string[], filters: TargetGroupFilter[]): Promise<TargetGroupSize> {
    return targetingApi.groupSize(this.orgId, { listIds, filters });
  }
}

type GroupMessages = Messages['targeting']['groups'];

/** A filter in words: "Födelseår between 1985 and 2000", "Postnr starts with 602". */
/** Values are shown as written (a year is 1985, not 1 985). */
export function describeFilter(filter: TargetGroupFilter, t: GroupMessages): string {
  switch (filter.op) {
    case 'equals':
      return t.describeEquals(filter.attribute, filter.value);
    case 'oneOf':
      return t.describeOneOf(filter.attribute, filter.values.join(', '));
    case 'prefix':
      return t.describePrefix(filter.attribute, filter.value);
    case 'range':
      if (filter.min !== undefined && filter.max !== undefined) return t.describeBetween(filter.attribute, String(filter.min), String(filter.max));
      if (filter.min !== undefined) return t.describeFrom(filter.attribute, String(filter.min));
      return t.describeUpTo(filter.attribute, String(filter.max ?? ''));
  }
}
