// The signed-in part of Ringa: send everyone else to sign in, and come back here afterwards.
import { redirect } from '@sveltejs/kit';
import { orgs } from '$lib/state/orgs.svelte';
import { session } from '$lib/state/session.svelte';
import type { LayoutLoad } from './$types';

export const load: LayoutLoad = async ({ url, parent }) => {
  await parent();
  if (!session.me) {
    redirect(307, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  if (!orgs.loaded) await orgs.load();
};
