import { watchOrganisation, type SocketDomainFactory } from '../../plugins/socket-handlers';

/** Organizers follow the imports of an organisation's lists: list:progress as a file is read and merged. */
export const listsSocket: SocketDomainFactory = (io, deps) => {
  deps.ctx.importer.on('progress', (progress) => io.to(`lists:${progress.organisationId}`).emit('list:progress', progress));
  return {
    onConnection: (socket) => watchOrganisation(socket, deps, 'lists:watch', 'lists'),
    close: () => {},
  };
};
