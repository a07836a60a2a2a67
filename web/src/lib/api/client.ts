// The one way the web app talks to the Ringa server: same-origin JSON, the session in a cookie.
import { isErrorCode } from '$contract/errors';
import type {
  AcceptInviteRequest,
  ApiError as ErrorBody,
  AddDoNotCallRequest,
  AttributeSummary,
  AuditList,
  CallableCampaignList,
  CampaignInput,
  CampaignList,
  CampaignScriptInput,
  CampaignSettings,
  CampaignStats,
  CampaignWelcome,
  RecordOfProcessing,
  CampaignStatus,
  CampaignView,
  CreatedList,
  ChangeRoleRequest,
  CreatedInvite,
  CreateInviteRequest,
  CreateOrganisationRequest,
  DoNotCallEntry,
  DoNotCallFileResult,
  DoNotCallList,
  DoNotCallSearch,
  FlagList,
  FlagResolved,
  GoalInput,
  GoalList,
  GoalProgress,
  InviteList,
  InvitePreview,
  ListList,
  ListPreview,
  ListSourceRequest,
  ListView,
  LoginRequest,
  Me,
  MemberList,
  MemberView,
  NoticeInput,
  OrganisationList,
  OrganisationNotice,
  OrganisationStats,
  OrganisationWelcome,
  OrganisationView,
  PasswordResetAccepted,
  PasswordResetConfirm,
  PersonCorrection,
  ResetLink,
  PersonExport,
  PersonPage,
  PersonSearchResult,
  SetupRequest,
  SetupStatus,
  TargetGroupInput,
  TargetGroupList,
  TargetGroupSize,
  TargetGroupSizeRequest,
  TargetGroupView,
  RetentionInput,
  RetentionView,
  TelephonySettingsInput,
  TelephonySettingsView,
} from '$contract/api';
import type { Language } from '$contract/language';

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

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

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
      // A FormData body (a file upload) sets its own multipart content type.
      headers:
        body === undefined || body instanceof FormData ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
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

/** The error a body holds; a code outside the contract (an older or newer server) reads as `internal`. */
function readError(payload: unknown): ErrorBody['error'] | null {
  if (typeof payload !== 'object' || payload === null || !('error' in payload)) return null;
  const error = payload.error;
  if (typeof error !== 'object' || error === null) return null;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : null;
  const message = 'message' in error && typeof error.message === 'string' ? error.message : '';
  if (code === null) return null;
  return { code: isErrorCode(code) ? code : 'internal', message };
}

const org = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}`;

export const api = {
  health: () => request<{ ok: true }>('GET', '/api/health'),

  setupStatus: () => request<SetupStatus>('GET', '/api/setup'),
  setup: (body: SetupRequest) => request<Me>('POST', '/api/setup', body),

  login: (body: LoginRequest) => request<Me>('POST', '/api/auth/login', body),
  /** Answered alike for every address; the mail, if the address has an account, follows. */
  requestPasswordReset: (email: string) => request<PasswordResetAccepted>('POST', '/api/auth/password-reset', { email }),
  confirmPasswordReset: (body: PasswordResetConfirm) => request<Me>('POST', '/api/auth/password-reset/confirm', body, { quiet401: true }),
  logout: () => request<void>('POST', '/api/auth/logout'),
  /** 401 here only means "not signed in", so it does not trigger the session-expired handler. */
  me: () => request<Me>('GET', '/api/me', undefined, { quiet401: true }),
  /** Keeps the person's language on their account, so that it follows them to other browsers, downloads and mails. */
  setLanguage: (language: Language) => request<Me>('PUT', '/api/me', { language }),
  /** The campaigns the user can call in now (open or paused), in every organisation. */
  myCampaigns: () => request<CallableCampaignList>('GET', '/api/me/campaigns'),

  previewInvite: (token: string) => request<InvitePreview>('POST', '/api/invites/preview', { token }),
  acceptInvite: (body: AcceptInviteRequest) => request<Me>('POST', '/api/invites/accept', body, { quiet401: true }),

  organisations: () => request<OrganisationList>('GET', '/api/orgs'),
  createChild: (orgId: string, body: CreateOrganisationRequest) =>
    request<OrganisationView>('POST', `${org(orgId)}/children`, body),

  members: (orgId: string, subOrganisations = false) => request<MemberList>('GET', `${org(orgId)}/members${subOrganisations ? '?subOrganisations=true' : ''}`),
  changeRole: (orgId: string, userId: string, body: ChangeRoleRequest) =>
    request<MemberView>('PATCH', `${org(orgId)}/members/${encodeURIComponent(userId)}`, body),
  removeMember: (orgId: string, userId: string) =>
    request<void>('DELETE', `${org(orgId)}/members/${encodeURIComponent(userId)}`),
  /** A one-time link for the member to set a new password, to pass on by hand (valid 24 hours). */
  resetLink: (orgId: string, userId: string) => request<ResetLink>('POST', `${org(orgId)}/members/${encodeURIComponent(userId)}/reset-link`),
  /** Disables an account whose memberships all lie within this organisation; its sessions end at once. */
  disableUser: (orgId: string, userId: string) =>
    request<void>('POST', `${org(orgId)}/users/${encodeURIComponent(userId)}/disable`),

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

/** The do-not-call register and target groups of an organisation. */
export const targetingApi = {
  /** With `inherited`, also the entries of the organisations above, which apply here too. The number searched goes in the body, never the URL (proxies log URLs). */
  doNotCall: (orgId: string, search: DoNotCallSearch = {}) => request<DoNotCallList>('POST', `${org(orgId)}/do-not-call/search`, search),
  addDoNotCall: (orgId: string, body: AddDoNotCallRequest) => request<DoNotCallEntry>('POST', `${org(orgId)}/do-not-call`, body),
  removeDoNotCall: (orgId: string, entryId: number) => request<void>('DELETE', `${org(orgId)}/do-not-call/${entryId}`),
  uploadDoNotCall: (orgId: string, file: File) => {
    const form = new FormData();
    form.set('file', file);
    return request<DoNotCallFileResult>('POST', `${org(orgId)}/do-not-call/file`, form);
  },

  lists: (orgId: string) => request<ListList>('GET', `${org(orgId)}/lists`),
  attributes: (orgId: string, listIds: readonly string[]) =>
    request<AttributeSummary>('GET', `${org(orgId)}/target-groups/attributes?${new URLSearchParams({ listIds: listIds.join(',') })}`),
  groupSize: (orgId: string, body: TargetGroupSizeRequest) => request<TargetGroupSize>('POST', `${org(orgId)}/target-groups/size`, body),
  targetGroups: (orgId: string) => request<TargetGroupList>('GET', `${org(orgId)}/target-groups`),
  createTargetGroup: (orgId: string, body: TargetGroupInput) => request<TargetGroupView>('POST', `${org(orgId)}/target-groups`, body),
  updateTargetGroup: (groupId: string, body: TargetGroupInput) =>
    request<TargetGroupView>('PUT', `/api/target-groups/${encodeURIComponent(groupId)}`, body),
  removeTargetGroup: (groupId: string) => request<void>('DELETE', `/api/target-groups/${encodeURIComponent(groupId)}`),
};

/** Calling campaigns: settings, script versions, status, and the flags callers raise. */
export const campaignsApi = {
  /** A new-member welcome campaign's report (who was reached in time, who is overdue). */
  welcome: (campaignId: string) => request<CampaignWelcome>('GET', `/api/campaigns/${encodeURIComponent(campaignId)}/welcome`),
  /** New members welcomed in time across the organisation's subtree. */
  organisationWelcome: (orgId: string) => request<OrganisationWelcome>('GET', `${org(orgId)}/welcome`),
  list: (orgId: string) => request<CampaignList>('GET', `${org(orgId)}/campaigns`),
  create: (orgId: string, body: CampaignInput) => request<CampaignView>('POST', `${org(orgId)}/campaigns`, body),
  get: (campaignId: string) => request<CampaignView>('GET', `/api/campaigns/${encodeURIComponent(campaignId)}`),
  update: (campaignId: string, body: CampaignSettings) => request<CampaignView>('PUT', `/api/campaigns/${encodeURIComponent(campaignId)}`, body),
  /** Saves script, questions and outcomes as the campaign's next version. */
  saveScript: (campaignId: string, body: CampaignScriptInput) =>
    request<CampaignView>('PUT', `/api/campaigns/${encodeURIComponent(campaignId)}/script`, body),
  changeStatus: (campaignId: string, status: CampaignStatus) =>
    request<CampaignView>('POST', `/api/campaigns/${encodeURIComponent(campaignId)}/status`, { status }),
  /** Open flags, newest first. */
  flags: (campaignId: string) => request<FlagList>('GET', `/api/campaigns/${encodeURIComponent(campaignId)}/flags`),
  resolveFlag: (callId: string) => request<FlagResolved>('POST', `/api/calls/${encodeURIComponent(callId)}/flag/resolve`, {}),
  /** The campaign's results; `day` chooses the day shown hour by hour (default: the last day with calls). */
  stats: (campaignId: string, day: string | null = null, answers = true) => {
    const query = new URLSearchParams({ ...(day ? { day } : {}), ...(answers ? {} : { answers: 'false' }) }).toString();
    return request<CampaignStats>('GET', `/api/campaigns/${encodeURIComponent(campaignId)}/stats${query ? `?${query}` : ''}`);
  },
  /** Every saved call as a spreadsheet file, as a download link (organizers and admins of the campaign's own organisation). */
  callsCsvUrl: (campaignId: string, separator: 'semicolon' | 'comma') =>
    `/api/campaigns/${encodeURIComponent(campaignId)}/calls.csv?${new URLSearchParams({ separator })}`,
};

/** An organisation's results: its whole subtree's figures over local days, and its goals. */
export const statsApi = {
  /** Without a period the server answers this year until today, in the organisation's time zone. */
  organisation: (orgId: string, period: { from: string; to: string } | null = null) =>
    request<OrganisationStats>('GET', `${org(orgId)}/stats${period ? `?${new URLSearchParams(period)}` : ''}`),
  /** The figures as a spreadsheet file, as a download link. */
  csvUrl: (orgId: string, period: { from: string; to: string }, separator: 'semicolon' | 'comma') =>
    `${org(orgId)}/stats.csv?${new URLSearchParams({ ...period, separator })}`,
  goals: (orgId: string) => request<GoalList>('GET', `${org(orgId)}/goals`),
  createGoal: (orgId: string, body: GoalInput) => request<GoalProgress>('POST', `${org(orgId)}/goals`, body),
  /** Answers the goals left. */
  removeGoal: (orgId: string, goalId: string) => request<GoalList>('DELETE', `${org(orgId)}/goals/${encodeURIComponent(goalId)}`),
};

/** Tells the app the session is gone, as a 401 from `request` does: for answers that did not come through it. */
export function reportUnauthenticated(): void {
  onUnauthenticated?.();
}

/** Progress of an upload: bytes sent of the total. */
export type UploadProgress = (sent: number, total: number) => void;

/** A multipart POST with upload progress (fetch reports none), answered like `request`. */
function upload<T>(path: string, form: FormData, onProgress: UploadProgress): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'network', 'The server could not be reached.')));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'network', 'The upload was interrupted.')));
    xhr.addEventListener('load', () => {
      let payload: unknown = null;
      try {
        payload = xhr.responseText ? (JSON.parse(xhr.responseText) as unknown) : null;
      } catch {
        payload = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(payload as T);
      const error = readError(payload);
      const apiError = new ApiError(xhr.status, error?.code ?? `http_${xhr.status}`, error?.message ?? xhr.statusText);
      if (xhr.status === 401 && apiError.code === 'unauthenticated') onUnauthenticated?.();
      reject(apiError);
    });
    xhr.send(form);
  });
}

/** How much of a CSV file the preview needs: its header and first rows. */
const PREVIEW_BYTES = 262_144;

/** Target lists: preview a file, import it, follow it, remove it. */
export const listsApi = {
  lists: (orgId: string) => request<ListList>('GET', `${org(orgId)}/lists`),
  list: (listId: string) => request<ListView>('GET', `/api/lists/${encodeURIComponent(listId)}`),
  remove: (listId: string) => request<void>('DELETE', `/api/lists/${encodeURIComponent(listId)}`),
  /** Records where a list imported before Ringa asked came from, and on what legal basis (or corrects it). */
  recordSource: (listId: string, body: ListSourceRequest) => request<ListView>('PUT', `/api/lists/${encodeURIComponent(listId)}/source`, body),
  /** The report of every row the import did not use, as a download link. */
  problemsUrl: (listId: string) => `/api/lists/${encodeURIComponent(listId)}/errors.csv`,
  /** The header, proposed mapping and first rows: only the start of a CSV is sent, a whole .xlsx (it is a zip). */
  preview: (orgId: string, file: File) => {
    const form = new FormData();
    const isXlsx = /\.xlsx$/i.test(file.name);
    form.set('file', isXlsx ? file : file.slice(0, PREVIEW_BYTES), file.name);
    return request<ListPreview>('POST', `${org(orgId)}/lists/preview`, form);
  },
  /** Sends the whole file; the server answers 202 with the new list's id and imports it in the background. */
  create: (
    orgId: string,
    fields: { file: File; name: string; country: string; mapping: unknown; source: Record<string, string> },
    onProgress: UploadProgress,
  ) => {
    const form = new FormData();
    form.set('name', fields.name);
    form.set('country', fields.country);
    form.set('mapping', JSON.stringify(fields.mapping));
    // Where the list came from and the legal basis (source, sourceName, sourceDate, basis), before the file.
    for (const [field, value] of Object.entries(fields.source)) form.set(field, value);
    form.set('file', fields.file, fields.file.name);
    return upload<CreatedList>(`${org(orgId)}/lists`, form, onProgress);
  },
};

/** A call placed by Ringa (the simulated line, or Twilio in the browser): the server dials the person held. */
export const noticeApi = {
  get: (orgId: string) => request<OrganisationNotice>('GET', `${org(orgId)}/notice`),
  save: (orgId: string, notice: string | null) => request<OrganisationNotice>('PUT', `${org(orgId)}/notice`, { notice } satisfies NoticeInput),
};

export const telephonyApi = {
  simulatedCall: (assignmentId: string) => request<{ callSid: string }>('POST', '/api/telephony/simulated/call', { assignmentId }),
  simulatedHangup: (callSid: string) => request<{ status: 'completed'; durationSeconds: number }>('POST', '/api/telephony/simulated/hangup', { callSid }),
  twilioToken: (assignmentId: string) => request<{ token: string; identity: string }>('POST', '/api/telephony/token', { assignmentId }),
  /** For a caller's seat in a dialing campaign (issue 15): the browser joins the seat's conference for the evening. */
  twilioSeatToken: (seatId: string) => request<{ token: string; identity: string }>('POST', '/api/telephony/token', { seatId }),
  settings: (orgId: string) => request<TelephonySettingsView>('GET', `${org(orgId)}/telephony`),
  saveSettings: (orgId: string, body: TelephonySettingsInput) => request<TelephonySettingsView>('PUT', `${org(orgId)}/telephony`, body),
  removeSettings: (orgId: string) => request<TelephonySettingsView>('DELETE', `${org(orgId)}/telephony`),
};

/** An organisation's record of processing (GDPR Art. 30), for its admins. */
export const recordApi = {
  get: (orgId: string) => request<RecordOfProcessing>('GET', `${org(orgId)}/record-of-processing`),
};

/** What an erasure answers (GDPR Art. 17). */
export interface PersonErased {
  personId: number;
  keptOnDoNotCall: boolean;
}

const person = (personId: number) => `/api/people/${encodeURIComponent(String(personId))}`;

/** A person's page for organizers: search (the query in the body, never the URL), page, correction, do-not-call, export, erasure. */
export const peopleApi = {
  search: (orgId: string, query: string) => request<PersonSearchResult>('POST', `${org(orgId)}/people/search`, { query }),
  get: (personId: number) => request<PersonPage>('GET', person(personId)),
  correct: (personId: number, body: PersonCorrection) => request<PersonPage>('PATCH', person(personId), body),
  doNotCall: (personId: number, reason: string) => request<DoNotCallEntry>('POST', `${person(personId)}/do-not-call`, reason.trim() ? { reason: reason.trim() } : {}),
  export: (personId: number) => request<PersonExport>('GET', `${person(personId)}/export`),
  /** The export as a file to download (a same-origin link: the cookie goes with it). */
  exportUrl: (personId: number) => `${person(personId)}/export`,
  erase: (personId: number, keepOffCalls: boolean) => request<PersonErased>('POST', `${person(personId)}/erase`, { keepOffCalls }),
};

export const retentionApi = {
  get: (orgId: string) => request<RetentionView>('GET', `${org(orgId)}/retention`),
  save: (orgId: string, body: RetentionInput) => request<RetentionView>('PUT', `${org(orgId)}/retention`, body),
};
