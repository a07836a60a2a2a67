// An invitation token kept while its reader signs in, so they can come back and join.
// sessionStorage: it stays in this tab only, and leaves with it.
const KEY = 'ringa.pendingInvite';

export const pendingInvite = {
  get(): string | null {
    try {
      return sessionStorage.getItem(KEY);
    } catch {
      return null;
    }
  },
  set(token: string): void {
    try {
      sessionStorage.setItem(KEY, token);
    } catch {
      // Without storage, the reader opens the link again after signing in.
    }
  },
  clear(): void {
    try {
      sessionStorage.removeItem(KEY);
    } catch {
      // Nothing kept, nothing to clear.
    }
  },
};
