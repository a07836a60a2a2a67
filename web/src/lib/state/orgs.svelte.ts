// The organisations the signed-in user may see, as a tree, and the one they are working in.
import type { CreateOrganisationRequest, OrganisationView } from '$contract/api';
import { api } from '$lib/api/client';

export interface OrgNode {
  org: OrganisationView;
  depth: number;
  children: OrgNode[];
}

const CURRENT_KEY = 'ringa.currentOrganisation';

function readCurrent(): string | null {
  try {
    return localStorage.getItem(CURRENT_KEY);
  } catch {
    return null;
  }
}

class Organisations {
  list = $state<OrganisationView[]>([]);
  loaded = $state(false);
  /** The organisation chosen in the header's switcher, remembered across visits. */
  currentId = $state<string | null>(readCurrent());

  readonly byId: Map<string, OrganisationView> = $derived(new Map(this.list.map((org) => [org.id, org])));

  /** Roots are the organisations whose parent the user cannot see. Siblings sorted by name. */
  readonly tree: OrgNode[] = $derived.by(() => {
    const childrenOf = new Map<string | null, OrganisationView[]>();
    for (const org of this.list) {
      const parent = org.parentId !== null && this.byId.has(org.parentId) ? org.parentId : null;
      const siblings = childrenOf.get(parent) ?? [];
      siblings.push(org);
      childrenOf.set(parent, siblings);
    }
    const build = (parent: string | null, depth: number): OrgNode[] =>
      (childrenOf.get(parent) ?? [])
        .toSorted((a, b) => a.name.localeCompare(b.name))
        .map((org) => ({ org, depth, children: build(org.id, depth + 1) }));
    return build(null, 0);
  });

  /** The tree in reading order, for the switcher. */
  readonly flat: OrgNode[] = $derived.by(() => {
    const out: OrgNode[] = [];
    const walk = (nodes: OrgNode[]) => {
      for (const node of nodes) {
        out.push(node);
        walk(node.children);
      }
    };
    walk(this.tree);
    return out;
  });

  readonly current: OrganisationView | null = $derived(
    (this.currentId !== null ? this.byId.get(this.currentId) : undefined) ?? this.flat[0]?.org ?? null,
  );

  async load(): Promise<void> {
    const { organisations } = await api.organisations();
    this.list = organisations;
    this.loaded = true;
  }

  childrenOf(id: string): OrganisationView[] {
    return this.list.filter((org) => org.parentId === id).toSorted((a, b) => a.name.localeCompare(b.name));
  }

  /** The visible ancestors of an organisation, from the top down (not including it). */
  ancestorsOf(org: OrganisationView): OrganisationView[] {
    const chain: OrganisationView[] = [];
    let parent = org.parentId !== null ? this.byId.get(org.parentId) : undefined;
    while (parent && chain.length < 100) {
      chain.unshift(parent);
      parent = parent.parentId !== null ? this.byId.get(parent.parentId) : undefined;
    }
    return chain;
  }

  /** Finds an organisation by its path, e.g. after joining through an invitation. */
  byPath(path: string): OrganisationView | undefined {
    return this.list.find((org) => org.path === path);
  }

  choose(id: string): void {
    this.currentId = id;
    try {
      localStorage.setItem(CURRENT_KEY, id);
    } catch {
      // Not remembered, but still chosen.
    }
  }

  async createChild(parentId: string, request: CreateOrganisationRequest): Promise<OrganisationView> {
    const created = await api.createChild(parentId, request);
    this.list = [...this.list, created];
    return created;
  }

  forget(): void {
    this.list = [];
    this.loaded = false;
  }
}

export const orgs = new Organisations();
