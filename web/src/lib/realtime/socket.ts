// The one socket.io connection of the app: opened on first use, same origin, the session cookie sent
// by the browser. Rooms are joined again after a reconnect, since the server forgets them.
import { io, type Socket } from 'socket.io-client';
import type { CampaignStatsEvent, ClientToServerEvents, DialerLive, ListProgressEvent, ServerToClientEvents } from '$contract/realtime';
import { reportUnauthenticated } from '$lib/api/client';
import { connectionNotice } from './notice.svelte';

export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: RealtimeSocket | null = null;
/** How many watchers each organisation has, so its room is joined again after a reconnect. */
const watched = new Map<string, number>();
const progressListeners = new Set<(event: ListProgressEvent) => void>();
/** The campaigns whose figures are followed, each with its listeners. */
const campaignListeners = new Map<string, Set<(event: CampaignStatsEvent) => void>>();
/** The dialing campaigns whose live dialer is followed (through the same campaign:watch room), each with its listeners. */
const dialerListeners = new Map<string, Set<(event: DialerLive) => void>>();

function connection(): RealtimeSocket {
  if (socket) return socket;
  const created: RealtimeSocket = io({ transports: ['websocket'] });
  created.on('connect', () => {
    connectionNotice.reason = null;
    for (const organisationId of watched.keys()) join(created, organisationId);
    for (const campaignId of campaignListeners.keys()) watchCampaignRoom(created, campaignId);
  });
  created.on('campaign:stats', (event) => {
    for (const listener of campaignListeners.get(event.campaignId) ?? []) listener(event);
  });
  created.on('dialer:live', (event) => {
    for (const listener of dialerListeners.get(event.campaignId) ?? []) listener(event);
  });
  created.on('list:progress', (event) => {
    for (const listener of progressListeners) listener(event);
  });
  created.on('session:ended', () => {
    close();
    reportUnauthenticated();
  });
  // Closed by the server for a reason the person should know (too many tabs): the banner says so;
  // socket.io does not reconnect after a server's disconnect, so the tabs do not take turns.
  created.on('connection:closed', ({ reason }) => {
    connectionNotice.reason = reason;
  });
  // Refused at the handshake: the session is gone. Stop retrying; the next API call will say so.
  created.on('connect_error', (error) => {
    if (error.message === 'unauthenticated') created.disconnect();
  });
  socket = created;
  return created;
}

function join(target: RealtimeSocket, organisationId: string): void {
  // The answer matters little: without the room, polling still follows the import.
  target.emit('lists:watch', { organisationId }, () => {});
}

/**
 * Follows the progress of an organisation's list imports. Returns the function that stops it.
 * Progress can be missed (a dropped connection), so callers also poll.
 */
export function watchLists(organisationId: string, listener: (event: ListProgressEvent) => void): () => void {
  const target = connection();
  if (target.disconnected && !target.active) target.connect();
  watched.set(organisationId, (watched.get(organisationId) ?? 0) + 1);
  if (target.connected) join(target, organisationId);
  const relevant = (event: ListProgressEvent) => {
    if (event.organisationId === organisationId) listener(event);
  };
  progressListeners.add(relevant);
  return () => {
    progressListeners.delete(relevant);
    const count = (watched.get(organisationId) ?? 1) - 1;
    if (count > 0) watched.set(organisationId, count);
    else watched.delete(organisationId);
  };
}

/** Asks to follow a campaign's figures; the answer carries them as they are now. */
function watchCampaignRoom(target: RealtimeSocket, campaignId: string): void {
  target.emit('campaign:watch', { campaignId }, (answer) => {
    if (!answer.ok) return; // Without the room the page still shows what it last read, and reads again.
    for (const listener of campaignListeners.get(campaignId) ?? []) listener(answer.data);
  });
}

/**
 * Follows a campaign's shared figures (calls, conversations, callers online), for organizers: the
 * figures as they are now, then each change. Returns the function that stops it.
 */
export function watchCampaign(campaignId: string, listener: (event: CampaignStatsEvent) => void): () => void {
  const target = connection();
  if (target.disconnected && !target.active) target.connect();
  let listeners = campaignListeners.get(campaignId);
  if (!listeners) {
    listeners = new Set();
    campaignListeners.set(campaignId, listeners);
  }
  listeners.add(listener);
  if (target.connected) watchCampaignRoom(target, campaignId);
  return () => {
    const current = campaignListeners.get(campaignId);
    current?.delete(listener);
    if (current?.size === 0) campaignListeners.delete(campaignId);
  };
}

/**
 * Follows a dialing campaign's dialer (lines ringing, callers, abandonment), for organizers. The events come
 * to the campaign:watch room: use it beside watchCampaign, which joins the room. Returns the function that stops it.
 */
export function watchDialer(campaignId: string, listener: (event: DialerLive) => void): () => void {
  connection();
  let listeners = dialerListeners.get(campaignId);
  if (!listeners) {
    listeners = new Set();
    dialerListeners.set(campaignId, listeners);
  }
  listeners.add(listener);
  return () => {
    const current = dialerListeners.get(campaignId);
    current?.delete(listener);
    if (current?.size === 0) dialerListeners.delete(campaignId);
  };
}

/**
 * The connection itself, for the caller's screen, which follows connects and disconnects (to show
 * when it is offline and to join its campaign again) and answers every calling event itself.
 */
export function realtime(): RealtimeSocket {
  const target = connection();
  if (target.disconnected && !target.active) target.connect();
  return target;
}

/** Ends the connection (signing out, a session that ended). */
export function close(): void {
  socket?.disconnect();
  socket = null;
  watched.clear();
  campaignListeners.clear();
  dialerListeners.clear();
}
