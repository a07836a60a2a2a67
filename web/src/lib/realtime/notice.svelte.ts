// Why the server closed this tab's socket, for the banner every page shows; null while it is open.
import type { ConnectionClosedEvent } from '$contract/realtime';

class ConnectionNotice {
  reason = $state<ConnectionClosedEvent['reason'] | null>(null);
}

export const connectionNotice = new ConnectionNotice();
