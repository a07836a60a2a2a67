import { randomUUID } from 'node:crypto';
import { handle, type SocketDomainFactory } from '../../plugins/socket-handlers';
import type { AnswerDecision } from './dialer.types';
import { checkCampaignRequest } from '../calling/calling.schemas';

/**
 * A caller's line in a power or predictive campaign: they start (and resume), pause and hang up; the
 * people who answer come to them as dialer:bridged. Organizers watching the campaign get dialer:live.
 * A caller's wishes reach the process that paces the campaign (this one, or another through
 * socket.io's server-side emit between processes).
 */
/** How long a person who answered waits for the process running their line to decide (then they are hung up on). */
const FORWARD_MS = 1500;

export const dialerSocket: SocketDomainFactory = (io, { ctx, log }) => {
  const dialer = ctx.dialer;
  dialer.on('seat', ({ userId, ...event }) => io.to(`user:${userId}`).emit('dialer:seat', event));
  dialer.on('bridged', ({ userId, ...event }) => io.to(`user:${userId}`).emit('dialer:bridged', event));
  dialer.on('ended', ({ userId, ...event }) => io.to(`user:${userId}`).emit('dialer:ended', event));
  dialer.on('live', (figures) => io.to(`organizers:${figures.campaignId}`).emit('dialer:live', figures));
  dialer.on('nudge', ({ campaignId, reconsider }) => io.serverSideEmit('dialer:nudge', campaignId, reconsider === true));
  io.on('dialer:nudge', (campaignId: unknown, reconsider: unknown) => {
    if (typeof campaignId === 'string') dialer.nudged(campaignId, reconsider === true);
  });
  // Twilio's webhooks reach any process: news of a line goes to the one that runs it.
  // A person answered a line another process runs: it decides and says so to all; the first decision is the one.
  const asked = new Map<string, (decision: AnswerDecision) => void>();
  dialer.forward = {
    ringing: (lineId) => io.serverSideEmit('dialer:line', { kind: 'ringing', lineId }),
    ended: (lineId, status, talkSeconds) => io.serverSideEmit('dialer:line', { kind: 'ended', lineId, status, talkSeconds }),
    answered: (lineId, by) =>
      new Promise<AnswerDecision | null>((resolve) => {
        const requestId = randomUUID();
        const timer = setTimeout(() => {
          asked.delete(requestId);
          resolve(null);
        }, FORWARD_MS);
        asked.set(requestId, (decision) => {
          clearTimeout(timer);
          asked.delete(requestId);
          resolve(decision);
        });
        io.serverSideEmit('dialer:answered', { requestId, lineId, by });
      }),
  };
  io.on('dialer:line', (news) => void dialer.handleLine(news));
  io.on('dialer:answered', ({ requestId, lineId, by }) => {
    dialer.answeredHere(lineId, by).then(
      (decision) => {
        if (decision) io.serverSideEmit('dialer:decided', { requestId, decision });
      },
      (error: unknown) => log(error),
    );
  });
  io.on('dialer:decided', ({ requestId, decision }) => asked.get(requestId)?.(decision));
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
