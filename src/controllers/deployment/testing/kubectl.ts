/**
 * Test support: real kubectl against a test API server, so rollout status, undo and history
 * are checked with the client users run. Skipped where kubectl is not installed.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Credentials } from '../../../client/kubeconfig.js';

export function hasKubectl(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false; // not installed: the kubectl tests are skipped
  }
}

export interface Kubectl {
  run(args: string[], timeoutMs?: number): Promise<{ code: number; stdout: string; stderr: string }>;
  close(): void;
}

export function kubectlFor(creds: Credentials): Kubectl {
  const dir = mkdtempSync(join(tmpdir(), 'sb-kubectl-'));
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const config = `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${creds.server}
    certificate-authority-data: ${b64(creds.ca)}
users:
- name: admin
  user:
    client-certificate-data: ${b64(creds.cert)}
    client-key-data: ${b64(creds.key)}
contexts:
- name: test
  context: {cluster: test, user: admin, namespace: default}
current-context: test
`;
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, config, { mode: 0o600 });
  return {
    run(args, timeoutMs = 20_000) {
      return new Promise((resolve) => {
        execFile('kubectl', ['--kubeconfig', path, '--cache-dir', join(dir, 'cache'), ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        });
      });
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
