import { SmtpClientConnection, type SmtpTarget } from './smtp-client.ts';

// The SMTP transport's connections (smtp-transport.ts): opened when needed, up to a budget, and reused — a free one
// is taken before a new one opens. A connection that has carried its share of messages closes, and counts against
// the budget until it has (its last answer comes before the goodbye).

export interface SmtpConnectionPool {
  /** A connection of our own until `release`; waits while the budget is spent. */
  acquire(): Promise<SmtpClientConnection>;
  release(connection: SmtpClientConnection): void;
  /** Closes the idle connections; connections released after this are closed at once. */
  close(): Promise<void>;
}

export interface SmtpConnectionPoolOptions {
  maxConnections: number;
  maxMessagesPerConnection: number;
  timeoutMs: number;
}

export function createSmtpConnectionPool(target: SmtpTarget, options: SmtpConnectionPoolOptions): SmtpConnectionPool {
  const idle: SmtpClientConnection[] = [];
  let open = 0;
  const waiting: Array<() => void> = [];
  let closed = false;

  function wakeOne() {
    waiting.shift()?.();
  }

  return {
    async acquire() {
      for (;;) {
        const connection = idle.pop();
        if (connection) {
          if (!connection.broken) return connection;
          open -= 1;
          continue;
        }
        if (open < options.maxConnections) {
          open += 1;
          try {
            return await SmtpClientConnection.open(target, options.timeoutMs);
          } catch (error) {
            open -= 1;
            wakeOne();
            throw error;
          }
        }
        await new Promise<void>((r) => waiting.push(r));
      }
    },
    release(connection) {
      if (connection.broken || closed) {
        connection.destroy();
        open -= 1;
      } else if (connection.messages >= options.maxMessagesPerConnection) {
        void connection.quit().finally(() => {
          open -= 1;
          wakeOne();
        });
        return;
      } else {
        idle.push(connection);
      }
      wakeOne();
    },
    async close() {
      closed = true;
      await Promise.all(idle.splice(0).map((c) => c.quit()));
    },
  };
}
