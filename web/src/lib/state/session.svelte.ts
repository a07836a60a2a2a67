// Who is signed in. The server owns the session (a cookie); this mirrors `GET /api/me`.
import type { AccountInput, LoginRequest, Me, SetupRequest } from '$contract/api';
import { api, ApiError } from '$lib/api/client';

class Session {
  me = $state<Me | null>(null);
  /** False until the first `GET /api/me` has answered. */
  known = $state(false);

  get signedIn(): boolean {
    return this.me !== null;
  }

  /** Asks the server who is signed in; a 401 just means nobody. */
  async load(): Promise<Me | null> {
    try {
      this.me = await api.me();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
      this.me = null;
    }
    this.known = true;
    return this.me;
  }

  async login(credentials: LoginRequest): Promise<Me> {
    this.me = await api.login(credentials);
    this.known = true;
    return this.me;
  }

  /** Sets a new password with a one-time link; the server signs the person in (and out everywhere else). */
  async resetPassword(token: string, password: string): Promise<Me> {
    this.me = await api.confirmPasswordReset({ token, password });
    this.known = true;
    return this.me;
  }

  async setup(request: SetupRequest): Promise<Me> {
    this.me = await api.setup(request);
    this.known = true;
    return this.me;
  }

  /** Joins with an invitation: as the signed-in user, or with a new account. */
  async acceptInvite(token: string, account?: AccountInput): Promise<Me> {
    this.me = await api.acceptInvite(account ? { token, account } : { token });
    this.known = true;
    return this.me;
  }

  async logout(): Promise<void> {
    try {
      await api.logout();
    } finally {
      this.forget();
    }
  }

  /** The server no longer knows us (signed out, or the session expired). */
  forget(): void {
    this.me = null;
    this.known = true;
  }
}

export const session = new Session();
