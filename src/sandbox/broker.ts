/**
 * Sockets inside a sandbox namespace for the host's processes. A small child (`broker-child`)
 * runs in the namespace and passes each socket it makes back over IPC: the API server and the
 * cluster DNS then listen on sandbox addresses (10.243.0.1, 10.96.0.10) and the port
 * publisher connects to pod IPs, all from the host process and without touching the host's
 * own network.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type net from 'node:net';
import type dgram from 'node:dgram';
import { SandboxError } from './run.js';

export type BrokerRequest =
  | { id: number; kind: 'tcp-listen'; host: string; port: number }
  | { id: number; kind: 'udp-bind'; host: string; port: number }
  | { id: number; kind: 'tcp-connect'; host: string; port: number };

export type BrokerReply = { id: number; port: number } | { id: number; error: string; code?: string };

const childPath = fileURLToPath(new URL('./broker-child.js', import.meta.url));

interface Waiter {
  resolve: (v: { port: number; handle: unknown }) => void;
  reject: (e: Error) => void;
}

export class NamespaceBroker {
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  private exited = false;

  private constructor(readonly netns: string, private readonly child: ChildProcess) {
    child.on('message', (m: BrokerReply, handle: unknown) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) this.channel()?.unref();
      if ('error' in m) {
        const err = new SandboxError(`in ${netns}: ${m.error}`) as SandboxError & { code?: string };
        if (m.code) err.code = m.code;
        w.reject(err);
      } else w.resolve({ port: m.port, handle });
    });
    child.on('exit', () => {
      this.exited = true;
      for (const w of this.waiting.values()) w.reject(new SandboxError(`the socket broker in ${netns} exited`));
      this.waiting.clear();
    });
  }

  /** Starts a broker inside `netns` (one of the sandbox's namespaces). */
  static async start(netns: string): Promise<NamespaceBroker> {
    const child = spawn('nsenter', [`--net=/run/netns/${netns}`, '--', process.execPath, childPath], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => reject(new SandboxError(`nsenter: ${err.message}`)));
    });
    // The child holds the parent's event loop open only while a request waits on it.
    child.unref();
    const broker = new NamespaceBroker(netns, child);
    broker.channel()?.unref();
    return broker;
  }

  private channel(): { ref(): void; unref(): void } | undefined {
    return this.child.channel as { ref(): void; unref(): void } | undefined;
  }

  private ask(req: Omit<BrokerRequest, 'id'>): Promise<{ port: number; handle: unknown }> {
    if (this.exited) return Promise.reject(new SandboxError(`the socket broker in ${this.netns} is gone`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.channel()?.ref();
      this.child.send({ ...req, id } as BrokerRequest);
    });
  }

  /** A TCP listener on host:port inside the namespace; pass it to `server.listen(handle)` or listen for 'connection'. */
  async listenTcp(host: string, port: number): Promise<net.Server> {
    return (await this.ask({ kind: 'tcp-listen', host, port })).handle as net.Server;
  }

  /** A bound UDP socket inside the namespace, already receiving. */
  async bindUdp(host: string, port: number): Promise<dgram.Socket> {
    return (await this.ask({ kind: 'udp-bind', host, port })).handle as dgram.Socket;
  }

  /** A TCP connection made from inside the namespace (paused until read). */
  async connect(host: string, port: number): Promise<net.Socket> {
    return (await this.ask({ kind: 'tcp-connect', host, port })).handle as net.Socket;
  }

  stop(): void {
    if (!this.exited) this.child.kill('SIGTERM');
  }
}
