import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Duplex } from 'node:stream';
import zlib from 'node:zlib';
import { SPDY3_DICTIONARY, SpdySession, controlFrame, dataFrame, decodeHeaderBlock, encodeHeaderBlock } from './spdy.js';

/** A byte pipe pair: what the test writes reaches the session, and back. */
function pipePair(): { server: Duplex; toServer: PassThrough; fromServer: PassThrough } {
  const toServer = new PassThrough();
  const fromServer = new PassThrough();
  const server = Duplex.from({ readable: toServer, writable: fromServer });
  return { server, toServer, fromServer };
}

const control = controlFrame;
const data = dataFrame;

/** The client's compressor: one zlib context for the whole session, as the protocol has it. */
class ClientHeaders {
  private readonly deflate = zlib.createDeflate({ dictionary: SPDY3_DICTIONARY });
  private readonly inflate = zlib.createInflate({ dictionary: SPDY3_DICTIONARY });
  private static run(z: zlib.Deflate | zlib.Inflate, input: Buffer): Promise<Buffer> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      const on = (c: Buffer): void => void chunks.push(c);
      z.on('data', on);
      z.write(input);
      z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        z.off('data', on);
        resolve(Buffer.concat(chunks));
      });
    });
  }
  compress(h: Record<string, string>): Promise<Buffer> {
    return ClientHeaders.run(this.deflate, encodeHeaderBlock(h));
  }
  decompress(b: Buffer): Promise<Record<string, string>> {
    return ClientHeaders.run(this.inflate, b).then(decodeHeaderBlock);
  }
}

async function synStream(headers: ClientHeaders, id: number, h: Record<string, string>, flags = 0): Promise<Buffer> {
  const ids = Buffer.alloc(10);
  ids.writeUInt32BE(id, 0);
  return control(1, flags, Buffer.concat([ids, await headers.compress(h)]));
}

/** Reads whole frames from the server's output. */
function frames(out: PassThrough): () => Promise<Buffer> {
  let buffered = Buffer.alloc(0);
  const waiting: ((b: Buffer) => void)[] = [];
  const ready: Buffer[] = [];
  out.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 8) {
      const len = buffered.readUInt32BE(4) & 0xffffff;
      if (buffered.length < 8 + len) break;
      const f = buffered.subarray(0, 8 + len);
      buffered = buffered.subarray(8 + len);
      const w = waiting.shift();
      if (w) w(f);
      else ready.push(f);
    }
  });
  return () => {
    const f = ready.shift();
    return f ? Promise.resolve(f) : new Promise((resolve) => waiting.push(resolve));
  };
}

describe('SPDY/3.1 session (server side)', () => {
  test('the header dictionary is the SPDY/3 one (zlib names it by its Adler-32, 0xe3c6a7c2)', () => {
    assert.equal(SPDY3_DICTIONARY.length, 1423);
    const z = zlib.deflateSync(Buffer.alloc(4), { dictionary: SPDY3_DICTIONARY });
    assert.equal(z.readUInt32BE(2), 0xe3c6a7c2);
  });

  test('header blocks round-trip; names are lowercased and repeated values joined', () => {
    const block = encodeHeaderBlock({ StreamType: 'data', port: '80' });
    assert.deepEqual(decodeHeaderBlock(block), { streamtype: 'data', port: '80' });
    const multi = Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 1]), Buffer.from('a'), Buffer.from([0, 0, 0, 3]), Buffer.from('x\0y')]);
    assert.deepEqual(decodeHeaderBlock(multi), { a: 'x, y' });
    assert.throws(() => decodeHeaderBlock(Buffer.from([0, 0, 0, 2, 0, 0, 0, 9])), /truncated/);
  });

  test('streams open with SYN_STREAM, are accepted with SYN_REPLY, carry DATA both ways and end with FIN; PING is echoed; RST aborts', async () => {
    const { server, toServer, fromServer } = pipePair();
    const session = new SpdySession(server);
    const next = frames(fromServer);
    const client = new ClientHeaders();
    const opened: { id: number; headers: Record<string, string>; got: string[] }[] = [];
    session.on('stream', (s) => {
      const entry = { id: s.id, headers: s.headers, got: [] as string[] };
      opened.push(entry);
      void s.reply({ accepted: 'yes' });
      s.on('data', (d: Buffer) => {
        entry.got.push(d.toString());
        s.write(Buffer.from(d.toString().toUpperCase()));
      });
      s.on('end', () => s.end());
      s.on('error', () => undefined);
    });

    toServer.write(await synStream(client, 1, { streamtype: 'error', port: '80', requestid: '0' }));
    toServer.write(await synStream(client, 3, { streamtype: 'data', port: '80', requestid: '0' }));
    const reply1 = await next();
    assert.equal(reply1.readUInt16BE(2), 2, 'SYN_REPLY');
    assert.equal(reply1.readUInt32BE(8), 1);
    assert.deepEqual(await client.decompress(reply1.subarray(12)), { accepted: 'yes' });
    const reply3 = await next();
    assert.equal(reply3.readUInt32BE(8), 3);
    assert.deepEqual(await client.decompress(reply3.subarray(12)), { accepted: 'yes' });
    assert.deepEqual(opened.map((o) => [o.id, o.headers.streamtype, o.headers.port]), [[1, 'error', '80'], [3, 'data', '80']]);

    // A frame split across writes is reassembled.
    const hello = data(3, 0, Buffer.from('hello'));
    toServer.write(hello.subarray(0, 5));
    toServer.write(hello.subarray(5));
    const echoed = await next();
    assert.equal(echoed.readUInt32BE(0), 3);
    assert.equal(echoed.subarray(8).toString(), 'HELLO');

    const ping = Buffer.alloc(4);
    ping.writeUInt32BE(7);
    toServer.write(control(6, 0, ping));
    const pong = await next();
    assert.equal(pong.readUInt16BE(2), 6);
    assert.equal(pong.readUInt32BE(8), 7);

    toServer.write(data(3, 1, Buffer.alloc(0)));
    const fin = await next();
    assert.equal(fin.readUInt32BE(0), 3);
    assert.equal(fin[4], 1, 'FIN');

    // DATA on a stream the server does not know is answered with RST_STREAM (INVALID_STREAM).
    toServer.write(data(9, 0, Buffer.from('?')));
    const rst = await next();
    assert.equal(rst.readUInt16BE(2), 3);
    assert.deepEqual([rst.readUInt32BE(8), rst.readUInt32BE(12)], [9, 2]);

    // The peer's RST_STREAM closes the stream on this side.
    const closed = new Promise<void>((resolve) => session.once('stream', (s) => s.once('close', () => resolve())));
    toServer.write(await synStream(client, 5, { streamtype: 'data', port: '81', requestid: '1' }));
    await next();
    const body = Buffer.alloc(8);
    body.writeUInt32BE(5, 0);
    body.writeUInt32BE(5, 4);
    toServer.write(control(3, 0, body));
    await closed;
    session.close();
  });

  test('garbage ends the session with GOAWAY and never throws', async () => {
    const { server, toServer, fromServer } = pipePair();
    const session = new SpdySession(server);
    const next = frames(fromServer);
    const done = new Promise<void>((resolve) => session.once('close', () => resolve()));
    // A SYN_STREAM whose header block is not zlib data.
    toServer.write(control(1, 0, Buffer.concat([Buffer.from([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]), Buffer.from('not zlib at all')])));
    const goaway = await next();
    assert.equal(goaway.readUInt16BE(2), 7);
    await done;
  });
});
