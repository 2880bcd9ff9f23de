// The process boundary of the test image: every subcommand reaches the environment, stdout,
// signals and exit only through a Host, so the subcommands stay free of process globals.

export type HostSignal = 'SIGTERM' | 'SIGINT';

export interface Host {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Writes to stdout as-is. */
  out(text: string): void;
  /** Writes to stderr as-is. */
  err(text: string): void;
  /** One log line on stderr in Go's `log` format (`2006/01/02 15:04:05 message`). */
  log(message: string): void;
  exit(code: number): void;
  onSignal(signal: HostSignal, handler: () => void): void;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Go's default log prefix: local date and time to the second. */
export function formatGoLogLine(message: string, now: Date): string {
  const date = `${now.getFullYear()}/${pad(now.getMonth() + 1)}/${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
  const line = `${date} ${time} ${message}`;
  return line.endsWith('\n') ? line : `${line}\n`;
}

export function createProcessHost(): Host {
  return {
    env: process.env,
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    log: (message) => void process.stderr.write(formatGoLogLine(message, new Date())),
    // Stdout may be a pipe: let pending writes drain before the process goes away.
    exit: (code) => {
      process.exitCode = code;
      process.stdout.write('', () => process.exit(code));
    },
    onSignal: (signal, handler) => void process.on(signal, handler),
  };
}
