/**
 * The cluster's PKI, made at first start and kept in the data directory: a CA, the API
 * server's serving certificate (for loopback and the in-cluster names), an admin client
 * certificate (O=system:masters) and a bearer token. ECDSA P-256: fast to make, accepted
 * by kubectl and the client libraries.
 */
import { webcrypto, randomBytes, X509Certificate as NodeX509 } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const tenYearsMs = 10 * 365 * 24 * 3600 * 1000;

export interface Pki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  /** Bearer token of the admin user. */
  token: string;
}

export interface PkiOptions {
  dir: string;
  /** DNS names and IP addresses the serving certificate is valid for. */
  dnsNames: string[];
  ips: string[];
}

const files = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  serverCert: 'apiserver.crt',
  serverKey: 'apiserver.key',
  adminCert: 'admin.crt',
  adminKey: 'admin.key',
  token: 'admin.token',
};

async function newKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`;
}

async function importKey(pem: string): Promise<CryptoKey> {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return webcrypto.subtle.importKey('pkcs8', Buffer.from(b64, 'base64'), alg, true, ['sign']);
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive
  return bytes.toString('hex');
}

async function createCa(): Promise<{ cert: string; key: string }> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=switchboard-ca',
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + tenYearsMs),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

async function issue(args: {
  ca: { cert: string; key: string };
  subject: string;
  usage: 'server' | 'client';
  dnsNames?: string[];
  ips?: string[];
}): Promise<{ cert: string; key: string }> {
  const keys = await newKeys();
  const caCert = new x509.X509Certificate(args.ca.cert);
  const altNames = [
    ...(args.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(args.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: args.subject,
    issuer: caCert.subject,
    notBefore: new Date(Date.now() - 3600_000),
    notAfter: new Date(Date.now() + tenYearsMs),
    signingAlgorithm: alg,
    publicKey: keys.publicKey,
    signingKey: await importKey(args.ca.key),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([args.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
      ...(altNames.length ? [new x509.SubjectAlternativeNameExtension(altNames)] : []),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

function read(dir: string, name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}

function write(dir: string, name: string, text: string): void {
  writeFileSync(join(dir, name), text, { mode: 0o600 });
}

/** Loads the PKI from `dir`, making whatever is missing (a new serving cert if the names changed). */
export async function ensurePki(options: PkiOptions): Promise<Pki> {
  const { dir } = options;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(join(dir, files.caCert))) {
    const ca = await createCa();
    write(dir, files.caCert, ca.cert);
    write(dir, files.caKey, ca.key);
  }
  const ca = { cert: read(dir, files.caCert), key: read(dir, files.caKey) };
  if (!existsSync(join(dir, files.serverCert)) || !coversNames(read(dir, files.serverCert), options)) {
    const server = await issue({ ca, subject: 'CN=kube-apiserver', usage: 'server', dnsNames: options.dnsNames, ips: options.ips });
    write(dir, files.serverCert, server.cert);
    write(dir, files.serverKey, server.key);
  }
  if (!existsSync(join(dir, files.adminCert))) {
    const admin = await issue({ ca, subject: 'CN=switchboard-admin, O=system:masters', usage: 'client' });
    write(dir, files.adminCert, admin.cert);
    write(dir, files.adminKey, admin.key);
  }
  if (!existsSync(join(dir, files.token))) write(dir, files.token, randomBytes(24).toString('hex'));
  return {
    caCert: ca.cert,
    serverCert: read(dir, files.serverCert),
    serverKey: read(dir, files.serverKey),
    adminCert: read(dir, files.adminCert),
    adminKey: read(dir, files.adminKey),
    token: read(dir, files.token).trim(),
  };
}

function coversNames(pem: string, options: PkiOptions): boolean {
  const cert = new NodeX509(pem);
  const san = cert.subjectAltName ?? '';
  return options.dnsNames.every((n) => san.includes(`DNS:${n}`)) && options.ips.every((ip) => san.includes(`IP Address:${ip}`));
}
