import type { HandleClientError } from '@sveltejs/kit';
import { ApiError } from '$lib/api/client';
import { i18n } from '$lib/i18n/index.svelte';

/** An unexpected failure while loading a page: say it in the reader's language, keep the code. */
export const handleError: HandleClientError = ({ error }) => {
  if (error instanceof ApiError) return { message: i18n.error(error), code: error.code };
  console.error(error);
  return { message: i18n.errorText('internal') };
};
