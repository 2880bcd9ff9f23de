/** Structured logging: one pino root per process, one child per component. */
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { level?: string; destination?: number | string } = {}): Logger {
  const level = options.level ?? 'info';
  if (typeof options.destination === 'string') {
    return pino({ level }, pino.destination({ dest: options.destination, sync: false, mkdir: true }));
  }
  return pino({ level }, pino.destination(options.destination ?? 2));
}

/** A logger that drops everything, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
