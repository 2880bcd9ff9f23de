// netexec's UDP server: one datagram in, one answer out, for `hostname`, `echo <msg>` and
// `clientip`. Like agnhost, the command is trimmed and lower-cased before it is matched, so
// an echoed message comes back lower-cased.
import type dgram from 'node:dgram';
import net from 'node:net';
import type { Host } from './host.js';
import { bindUdp, joinHostPort } from './listen.js';

export interface UdpAnswerInput {
  text: string;
  clientAddress: string;
  hostname: string;
}

/** The reply to one datagram, or undefined when agnhost stays silent. */
export function answerUdpCommand(input: UdpAnswerInput): string | undefined {
  const received = input.text.trim().toLowerCase();
  if (received === 'hostname') return input.hostname;
  if (received.startsWith('echo ')) return received.slice('echo '.length);
  if (received === 'clientip') return input.clientAddress;
  return undefined;
}

/** Go's parseAddresses: comma-separated IPs, deduplicated and sorted; empty means any. */
export function parseListenAddresses(list: string): Array<string | undefined> {
  if (list === '') return [undefined];
  const addresses = list.split(',');
  const invalid = addresses.find((a) => net.isIP(a) === 0);
  if (invalid !== undefined) throw new Error(`parseAddress: invalid address ${invalid}`);
  return [...new Set(addresses)].sort();
}

export interface UdpServerOptions {
  port: number;
  address: string | undefined;
  host: Host;
  hostname: () => string;
}

export async function startUdpServer(options: UdpServerOptions): Promise<dgram.Socket> {
  const { host } = options;
  const socket = await bindUdp(options.port, options.address);
  host.log(`Started UDP server on port ${options.address ?? ''} ${socket.address().port}`);
  socket.on('message', (msg, rinfo) => {
    const clientAddress = joinHostPort(rinfo.address, rinfo.port);
    const text = msg.toString('utf8');
    const answer = answerUdpCommand({ text, clientAddress, hostname: options.hostname() });
    if (answer === undefined) {
      if (text.trim() !== '') host.log(`Unknown UDP command received from ${clientAddress}: ${text.trim().toLowerCase()}`);
      return;
    }
    socket.send(answer, rinfo.port, rinfo.address);
  });
  return socket;
}
