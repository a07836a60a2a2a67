// The caller's browser line for an evening in a dialing campaign on Twilio: the Voice SDK is loaded once,
// on "Start calling", and joins the caller's own conference with { seatId } as the only parameter (never a
// number); the people the server bridges come into it. Hanging up a person goes through dialer:hangup.
import { telephonyApi } from '$lib/api/client';

/** The Twilio call and device, as much of them as is used here. */
interface BrowserCall {
  disconnect(): void;
  on(event: string, listener: (...args: unknown[]) => void): void;
}
interface BrowserDevice {
  connect(options?: { params?: Record<string, string> }): Promise<BrowserCall>;
  destroy(): void;
}

export class SeatLine {
  private device: BrowserDevice | null = null;
  private call: BrowserCall | null = null;

  /** Opens the line for the seat; `ondropped` is told when it drops by itself (network, Twilio). */
  async open(seatId: string, ondropped: () => void): Promise<void> {
    this.close();
    const { token } = await telephonyApi.twilioSeatToken(seatId);
    const { Device } = await import('@twilio/voice-sdk');
    const device = new Device(token, { logLevel: 'error' }) as unknown as BrowserDevice;
    this.device = device;
    const call = await device.connect({ params: { seatId } });
    if (this.device !== device) {
      call.disconnect(); // closed meanwhile
      return;
    }
    this.call = call;
    call.on('disconnect', () => this.dropped(call, ondropped));
    call.on('error', () => this.dropped(call, ondropped));
  }

  private dropped(call: BrowserCall, ondropped: () => void): void {
    if (this.call !== call) return; // closed on purpose
    this.call = null;
    ondropped();
  }

  close(): void {
    const call = this.call;
    this.call = null;
    call?.disconnect();
    this.device?.destroy();
    this.device = null;
  }
}
