/** Structured logging: one pino root per process, one child per component. */
import { mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { level?: string; destination?: number | string } = {}): Logger {
  const level = options.level ?? 'info';
  if (typeof options.destination === 'string') {
    // The file is opened here, so the logger is ready at once: a process that fails and exits
    // early (a port in use) must not trip over a log file still being opened.
    mkdirSync(dirname(options.destination), { recursive: true });
    const fd = openSync(options.destination, 'a');
    return pino({ level }, pino.destination({ fd, sync: false }));
  }
  return pino({ level }, pino.destination(options.destination ?? 2));
}

/** A logger that drops everything, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
