// The one way the web app talks to the Ringa server: same-origin JSON, the session in a cookie.
import type {
  AcceptInviteRequest,
  ApiError as ErrorBody,
  AuditList,
  ChangeRoleRequest,
  CreatedInvite,
  CreateInviteRequest,
  CreateOrganisationRequest,
  InviteList,
  InvitePreview,
  LoginRequest,
  Me,
  MemberList,
  MemberView,
  OrganisationList,
  OrganisationView,
  SetupRequest,
  SetupStatus,
} from '$contract/api';

/** An answer the server refused, with its stable code; `status` 0 means the server was not reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** From Retry-After, when the server says when to try again. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

let onUnauthenticated: (() => void) | null = null;

/** Called when the server says the session is gone (for instance it expired) on a signed-in call. */
export function setUnauthenticatedHandler(handler: (() => void) | null): void {
  onUnauthenticated = handler;
}

async function request<T>(method: Method, path: string, body?: unknown, options: { quiet401?: boolean } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached.');
  }
  if (response.status === 204) return undefined as T;
  const payload: unknown = await response.json().catch(() => null);
  if (response.ok) return payload as T;

  const error = readError(payload);
  const retryAfter = Number(response.headers.get('retry-after'));
  const apiError = new ApiError(
    response.status,
    error?.code ?? `http_${response.status}`,
    error?.message ?? response.statusText,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  );
  if (response.status === 401 && apiError.code === 'unauthenticated' && !options.quiet401) onUnauthenticated?.();
  throw apiError;
}

function readError(payload: unknown): ErrorBody['error'] | null {
  if (typeof payload !== 'object' || payload === null || !('error' in payload)) return null;
  const error = payload.error;
  if (typeof error !== 'object' || error === null) return null;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : null;
  const message = 'message' in error && typeof error.message === 'string' ? error.message : '';
  return code ? { code, message } : null;
}

const org = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}`;

export const api = {
  health: () => request<{ ok: true }>('GET', '/api/health'),

  setupStatus: () => request<SetupStatus>('GET', '/api/setup'),
  setup: (body: SetupRequest) => request<Me>('POST', '/api/setup', body),

  login: (body: LoginRequest) => request<Me>('POST', '/api/auth/login', body),
  logout: () => request<void>('POST', '/api/auth/logout'),
  /** 401 here only means "not signed in", so it does not trigger the session-expired handler. */
  me: () => request<Me>('GET', '/api/me', undefined, { quiet401: true }),

  previewInvite: (token: string) => request<InvitePreview>('POST', '/api/invites/preview', { token }),
  acceptInvite: (body: AcceptInviteRequest) => request<Me>('POST', '/api/invites/accept', body, { quiet401: true }),

  organisations: () => request<OrganisationList>('GET', '/api/orgs'),
  createChild: (orgId: string, body: CreateOrganisationRequest) =>
    request<OrganisationView>('POST', `${org(orgId)}/children`, body),

  members: (orgId: string) => request<MemberList>('GET', `${org(orgId)}/members`),
  changeRole: (orgId: string, userId: string, body: ChangeRoleRequest) =>
    request<MemberView>('PATCH', `${org(orgId)}/members/${encodeURIComponent(userId)}`, body),
  removeMember: (orgId: string, userId: string) =>
    request<void>('DELETE', `${org(orgId)}/members/${encodeURIComponent(userId)}`),

  invites: (orgId: string) => request<InviteList>('GET', `${org(orgId)}/invites`),
  createInvite: (orgId: string, body: CreateInviteRequest) => request<CreatedInvite>('POST', `${org(orgId)}/invites`, body),
  revokeInvite: (orgId: string, inviteId: string) =>
    request<void>('DELETE', `${org(orgId)}/invites/${encodeURIComponent(inviteId)}`),

  audit: (orgId: string, page: { limit?: number; before?: number } = {}) => {
    const query = new URLSearchParams();
    if (page.limit !== undefined) query.set('limit', String(page.limit));
    if (page.before !== undefined) query.set('before', String(page.before));
    const suffix = query.size > 0 ? `?${query}` : '';
    return request<AuditList>('GET', `${org(orgId)}/audit${suffix}`);
  },
};
