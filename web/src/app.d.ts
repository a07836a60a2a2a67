// See https://svelte.dev/docs/kit/types#app.d.ts
declare global {
  namespace App {
    interface Error {
      message: string;
      /** An API error code when the failure came from the server. */
      code?: string;
    }
  }
}

export {};
