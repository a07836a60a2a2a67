// Who is signed in. The server owns the session (a cookie); this mirrors `GET /api/me`.
import type { AccountInput, LoginRequest, Me, SetupRequest } from '$contract/api';
import { api, ApiError } from '$lib/api/client';
import { i18n, type Locale } from '$lib/i18n/index.svelte';

class Session {
  me = $state<Me | null>(null);
  /** False until the first `GET /api/me` has answered. */
  known = $state(false);
  /** A language the person chose while signed out, on this page: kept on the account they sign in to next. */
  #chosenSignedOut: Locale | null = null;
  /** Saves one after the other, so that the account ends with the last choice. */
  #saving: Promise<void> = Promise.resolve();

  get signedIn(): boolean {
    return this.me !== null;
  }

  /** Asks the server who is signed in; a 401 just means nobody. */
  async load(): Promise<Me | null> {
    try {
      this.#signedIn(await api.me());
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
      this.me = null;
    }
    this.known = true;
    return this.me;
  }

  async login(credentials: LoginRequest): Promise<Me> {
    return this.#signedIn(await api.login(credentials));
  }

  /** Sets a new password with a one-time link; the server signs the person in (and out everywhere else). */
  async resetPassword(token: string, password: string): Promise<Me> {
    this.me = await api.confirmPasswordReset({ token, password });
    this.known = true;
    return this.me;
  }

  async setup(request: SetupRequest): Promise<Me> {
    return this.#signedIn(await api.setup(request));
  }

  /** Joins with an invitation: as the signed-in user, or with a new account. */
  async acceptInvite(token: string, account?: AccountInput): Promise<Me> {
    return this.#signedIn(await api.acceptInvite(account ? { token, account } : { token }));
  }

  /**
   * The person chose a language: the app switches at once, and a signed-in person's account keeps it, so
   * that it follows them to another browser (and their downloads and mails). A failed save still switches.
   */
  chooseLanguage(locale: Locale): Promise<void> {
    i18n.setLocale(locale);
    if (!this.me) {
      this.#chosenSignedOut = locale;
      return Promise.resolve();
    }
    return this.#save(locale);
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

  /**
   * Signed in: the language just chosen on this page goes to the account; otherwise the account's
   * language, when it has one, replaces the browser's. An account without one changes nothing.
   */
  #signedIn(me: Me): Me {
    this.me = me;
    this.known = true;
    const chosen = this.#chosenSignedOut;
    this.#chosenSignedOut = null;
    if (chosen && chosen !== me.user.language) void this.#save(chosen);
    else if (me.user.language) i18n.setLocale(me.user.language);
    return me;
  }

  #save(locale: Locale): Promise<void> {
    this.#saving = this.#saving.then(async () => {
      try {
        const saved = await api.setLanguage(locale);
        if (this.me && this.me.user.id === saved.user.id) this.me.user.language = saved.user.language;
      } catch {
        // Switched here all the same; the account keeps its earlier language until the next choice.
      }
    });
    return this.#saving;
  }
}

export const session = new Session();
