import { pino } from 'pino';
import type { Logger } from 'pino';
import type { Config } from './config.js';

export type { Logger };

/** pino, as json or (on a TTY by default) readable text; headers that can carry secrets are redacted. */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'logFormat'>,
  destination?: NodeJS.WritableStream,
): Logger {
  const options = {
    level: config.logLevel,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie'],
      censor: '[redacted]',
    },
  };
  if (config.logFormat === 'text' && !destination) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } },
    });
  }
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}
