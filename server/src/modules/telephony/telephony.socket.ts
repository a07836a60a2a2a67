import type { SocketDomainFactory } from '../../plugins/socket-handlers';

/** Every call status (Twilio's or the simulated line's) goes to its caller, as telephony:status. */
export const telephonySocket: SocketDomainFactory = (io, { ctx }) => {
  ctx.telephony.on('status', ({ userId, ...event }) => io.to(`user:${userId}`).emit('telephony:status', event));
  return { onConnection: () => {}, close: () => {} };
};
