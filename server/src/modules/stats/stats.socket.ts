import { watchOrganisation, type SocketDomainFactory } from '../../plugins/socket-handlers';

/**
 * Organizers follow an organisation's statistics: when figures move, every organisation above the ones
 * called in hears stats:changed, at most once a second, and fetches them again.
 */
export const statsSocket: SocketDomainFactory = (io, deps) => {
  const { ctx } = deps;
  const moved = new Set<string>();
  ctx.stats.on('changed', ({ organisations }) => {
    ctx.db
      .selectFrom('organisationClosure')
      .select('ancestorId')
      .distinct()
      .where('descendantId', 'in', organisations)
      .execute()
      .then(
        (rows) => {
          for (const row of rows) moved.add(row.ancestorId);
        },
        (error: unknown) => deps.log(error, 'announcing moved statistics failed'),
      );
  });
  const timer = setInterval(() => {
    for (const organisationId of moved) io.to(`stats:${organisationId}`).emit('stats:changed', { organisationId });
    moved.clear();
  }, 1000);
  timer.unref();
  return {
    onConnection: (socket) => watchOrganisation(socket, deps, 'stats:watch', 'stats'),
    close: () => clearInterval(timer),
  };
};
