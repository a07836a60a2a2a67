import { handle, type SocketDomainFactory } from '../../plugins/socket-handlers';
import { checkCampaignRequest } from '../calling/calling.schemas';

/**
 * A caller's line in a power or predictive campaign: they start (and resume), pause and hang up; the
 * people who answer come to them as dialer:bridged. Organizers watching the campaign get dialer:live.
 * A caller's wishes reach the process that paces the campaign (this one, or another through
 * socket.io's server-side emit between processes).
 */
export const dialerSocket: SocketDomainFactory = (io, { ctx, log }) => {
  const dialer = ctx.dialer;
  dialer.on('seat', ({ userId, ...event }) => io.to(`user:${userId}`).emit('dialer:seat', event));
  dialer.on('bridged', ({ userId, ...event }) => io.to(`user:${userId}`).emit('dialer:bridged', event));
  dialer.on('ended', ({ userId, ...event }) => io.to(`user:${userId}`).emit('dialer:ended', event));
  dialer.on('live', (figures) => io.to(`organizers:${figures.campaignId}`).emit('dialer:live', figures));
  dialer.on('nudge', ({ campaignId }) => io.serverSideEmit('dialer:nudge', campaignId));
  io.on('dialer:nudge', (campaignId: unknown) => {
    if (typeof campaignId === 'string') dialer.nudged(campaignId);
  });
  return {
    onConnection: (socket) => {
      const userId = socket.data.userId;
      handle(socket, log, 'dialer:start', checkCampaignRequest, ({ campaignId }) => dialer.startSeat(userId, campaignId));
      handle(socket, log, 'dialer:pause', checkCampaignRequest, async ({ campaignId }) => {
        await dialer.pauseSeat(userId, campaignId);
        return null;
      });
      handle(socket, log, 'dialer:hangup', checkCampaignRequest, async ({ campaignId }) => {
        await dialer.hangup(userId, campaignId);
        return null;
      });
    },
    close: () => {},
  };
};
