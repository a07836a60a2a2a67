// A single-page app: nothing is rendered on the server or ahead of time.
import { session } from '$lib/state/session.svelte';
import type { LayoutLoad } from './$types';

export const ssr = false;
export const prerender = false;

export const load: LayoutLoad = async () => {
  // Every page depends on knowing who is signed in, so ask once before the first one renders.
  if (!session.known) await session.load();
};
