// Listening the way Go's `net.Listen("tcp", ":port")` does: one dual-stack socket on every
// address, falling back to IPv4 when the host has no IPv6.
import dgram from 'node:dgram';
import net from 'node:net';

const noIpv6Codes = new Set(['EAFNOSUPPORT', 'EADDRNOTAVAIL', 'EPROTONOSUPPORT']);

function errorCode(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

function listenOnce(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen({ port, host, ipv6Only: false }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/** Listens on `host`, or on all addresses when it is undefined; resolves to the bound port. */
export async function listenTcp(server: net.Server, port: number, host?: string): Promise<number> {
  if (host !== undefined) return listenOnce(server, port, host);
  try {
    return await listenOnce(server, port, '::');
  } catch (err) {
    if (!noIpv6Codes.has(errorCode(err) ?? '')) throw err;
    return listenOnce(server, port, '0.0.0.0');
  }
}

function bindOnce(type: 'udp4' | 'udp6', port: number, address: string): Promise<dgram.Socket> {
  const socket = dgram.createSocket({ type, ipv6Only: false });
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', onError);
    socket.bind({ port, address }, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

/** Binds a UDP socket on `address`, or on all addresses (dual-stack when possible). */
export async function bindUdp(port: number, address?: string): Promise<dgram.Socket> {
  if (address !== undefined) return bindOnce(net.isIPv6(address) ? 'udp6' : 'udp4', port, address);
  try {
    return await bindOnce('udp6', port, '::');
  } catch (err) {
    if (!noIpv6Codes.has(errorCode(err) ?? '')) throw err;
    return bindOnce('udp4', port, '0.0.0.0');
  }
}

/** IPv4 clients of a dual-stack socket appear as `::ffff:a.b.c.d`; Go prints them as IPv4. */
export function normalizeIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped?.[1] ?? ip;
}

/** Go's net.JoinHostPort: brackets around IPv6 literals. */
export function joinHostPort(host: string, port: number | string): string {
  const ip = normalizeIp(host);
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}
