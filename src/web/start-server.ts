import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { ListenError } from '../errors.ts';

export interface RunningServer {
  /** Where the server answers, e.g. http://127.0.0.1:8787 (the real port when 0 was asked for). */
  url: string;
  close(): Promise<void>;
}

export interface ListenOptions {
  host: string;
  port: number;
  /** The config section that sets host and port (`web`, `preview`), named in the advice when listening fails. */
  configSection?: string;
}

const hostPort = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** A failure to listen as a message that says what to do, or the error itself when it is no listening problem. */
export function listenError(error: NodeJS.ErrnoException, options: ListenOptions): Error {
  const where = hostPort(options.host, options.port);
  const inConfig = (key: string) => (options.configSection ? ` or ${options.configSection}.${key} in the config` : '');
  const other = `pick another port with --port <port>${inConfig('port')} (--port 0 picks a free one)`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new ListenError(
        `cannot listen on ${where}: the port is already in use (another paperboy, or another program). ` +
          `Stop that process, or ${other}`,
        { cause: error },
      );
    case 'EACCES':
      return new ListenError(
        `cannot listen on ${where}: permission denied` +
          (options.port < 1024 ? ' (ports below 1024 need root); use a port from 1024 up behind a reverse proxy: ' : ': ') +
          other,
        { cause: error },
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ListenError(
        `cannot listen on ${where}: ${options.host} is not an address of this machine; ` +
          `use --host 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)${inConfig('host')}`,
        { cause: error },
      );
    default:
      return error;
  }
}

/** Starts listening; resolves once the port is bound, rejects when it cannot be (port in use, no permission). */
export function startServer(app: Hono, options: ListenOptions): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) => reject(listenError(error, options));
    const server = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, (info: AddressInfo) => {
      server.off('error', fail);
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done, failClose) => {
            server.close((error) => (error ? failClose(error) : done()));
            // Keep-alive connections would hold close() open until they time out.
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    server.once('error', fail);
  });
}
