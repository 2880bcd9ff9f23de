/**
 * Runs inside one sandbox namespace (started there by `nsenter`) and makes sockets on request:
 * TCP listeners, UDP sockets and outgoing TCP connections. Each socket is handed to the parent
 * over the IPC channel; it stays in this namespace, so the parent (in the host's namespace)
 * serves and connects inside the sandbox without a relay. Exits when the parent goes.
 */
import net from 'node:net';
import dgram from 'node:dgram';
import type { BrokerReply, BrokerRequest } from './broker.js';

/**
 * Sends the reply with the socket. Node keeps a sent listener or UDP socket open in the
 * sender, where it would accept connections and swallow datagrams meant for the parent, so
 * this copy is closed once the parent has it (a sent TCP connection is closed by Node itself).
 */
function reply(r: BrokerReply, handle?: net.Server | net.Socket | dgram.Socket): void {
  process.send?.(r, handle as net.Server | undefined, {}, () => {
    if (handle && !(handle instanceof net.Socket)) handle.close();
  });
}

function fail(id: number, err: unknown): void {
  const e = err as NodeJS.ErrnoException;
  reply({ id, error: e.message, ...(e.code ? { code: e.code } : {}) });
}

process.on('message', (m: BrokerRequest) => {
  switch (m.kind) {
    case 'tcp-listen': {
      const server = net.createServer();
      server.once('error', (err) => fail(m.id, err));
      server.listen(m.port, m.host, () => reply({ id: m.id, port: (server.address() as net.AddressInfo).port }, server));
      return;
    }
    case 'udp-bind': {
      const socket = dgram.createSocket(net.isIPv6(m.host) ? 'udp6' : 'udp4');
      socket.once('error', (err) => fail(m.id, err));
      socket.bind(m.port, m.host, () => reply({ id: m.id, port: socket.address().port }, socket));
      return;
    }
    case 'tcp-connect': {
      const conn = net.connect({ host: m.host, port: m.port });
      conn.once('error', (err) => fail(m.id, err));
      conn.once('connect', () => {
        conn.pause();
        reply({ id: m.id, port: conn.localPort ?? 0 }, conn);
      });
      return;
    }
  }
});
process.on('disconnect', () => process.exit(0));
