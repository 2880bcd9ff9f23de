/**
 * The reference server: a bare Node.js HTTPS server with the cluster's certificates and
 * nothing else. It sets the floor the API server is compared against: how fast a Node
 * process can start answering, how much memory it holds idle, and how fast it sends a body
 * of a given size.
 *
 *   node dist/bench/ref-server.js PKI_DIR      prints {"port":N} on stdout once listening
 *
 * GET /readyz -> ok; GET /blob?bytes=N -> N bytes of JSON-ish text (cached per size);
 * POST -> 201 with the JSON body echoed back (the floor of a create over HTTPS).
 * It exits on SIGTERM or when its stdin closes, so it never outlives the benchmark.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';

const pkiDir = process.argv[2];
if (!pkiDir) {
  process.stderr.write('usage: ref-server PKI_DIR\n');
  process.exit(2);
}

const blobBySize = new Map<number, Buffer>();
const maxBlobBytes = 512 * 1024 * 1024;

function blob(bytes: number): Buffer {
  let body = blobBySize.get(bytes);
  if (!body) {
    body = Buffer.alloc(bytes, 'x');
    blobBySize.set(bytes, body);
  }
  return body;
}

const server = https.createServer(
  {
    cert: readFileSync(join(pkiDir, 'apiserver.crt')),
    key: readFileSync(join(pkiDir, 'apiserver.key')),
    ca: readFileSync(join(pkiDir, 'ca.crt')),
    requestCert: true,
    rejectUnauthorized: false,
  },
  (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    if (url.pathname === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (req.method === 'POST') {
      // Echo a created object back (parse, stamp, serialise): the HTTPS floor of a create.
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let text = '{}';
        try {
          const obj = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { metadata?: Record<string, unknown> };
          obj.metadata = { ...obj.metadata, uid: 'reference', resourceVersion: '1' };
          text = JSON.stringify(obj);
        } catch {
          // the benchmark only sends JSON; anything else is echoed as an empty object
        }
        res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
      });
      return;
    }
    const bytes = Number(url.searchParams.get('bytes'));
    if (url.pathname === '/blob' && Number.isInteger(bytes) && bytes > 0 && bytes <= maxBlobBytes) {
      const body = blob(bytes);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
      res.end(body);
      return;
    }
    res.writeHead(404);
    res.end();
  },
);
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
process.on('SIGTERM', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
