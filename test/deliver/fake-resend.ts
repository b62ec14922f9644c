import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A stand-in for the Resend API on 127.0.0.1, reached through the SDK's base URL. It implements what paperboy
// relies on: POST /emails/batch with idempotency keys (same key + same mails → the first answer again, nothing
// sent; same key + other mails → 409), permissive validation with per-mail errors, and scripted faults.

export interface BatchRequest {
  key: string | null;
  validation: string | null;
  emails: Array<{ to: string[]; subject: string; html: string; text: string; headers?: Record<string, string> }>;
  status: number;
}

export interface Delivered {
  to: string;
  id: string;
  key: string | null;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
}

/** What to do with the n-th batch request (from 1): answer with an error, or process it and lose the answer. */
export type ResendFault =
  | { status: number; name: string; message?: string; headers?: Record<string, string> }
  | { processThen: 'fail' }
  | null;

export interface FakeResend {
  url: string;
  requests: BatchRequest[];
  delivered: Delivered[];
  fault: (n: number, request: BatchRequest) => ResendFault;
  /** Answer every request this much later (the mails are recorded before the wait). */
  delayMs: number;
  close(): Promise<void>;
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

export async function startFakeResend(options: { apiKey?: string; invalid?: RegExp } = {}): Promise<FakeResend> {
  const apiKey = options.apiKey ?? 're_test_key';
  const invalid = options.invalid ?? /^invalid/;
  const keys = new Map<string, { body: string; status: number; answer: unknown }>();
  let nextId = 1;
  let count = 0;

  const fake: FakeResend = {
    url: '',
    requests: [],
    delivered: [],
    fault: () => null,
    delayMs: 0,
    close: async () => {},
  };

  const reply = (res: ServerResponse, status: number, answer: unknown, headers: Record<string, string> = {}) => {
    const send = () => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(answer));
    };
    if (fake.delayMs > 0) setTimeout(send, fake.delayMs);
    else send();
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method !== 'POST' || req.url !== '/emails/batch') {
      return reply(res, 404, { statusCode: 404, name: 'not_found', message: 'no such route' });
    }
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return reply(res, 401, { statusCode: 401, name: 'invalid_api_key', message: 'API key is invalid' });
    }
    const key = (req.headers['idempotency-key'] as string | undefined) ?? null;
    const request: BatchRequest = {
      key,
      validation: (req.headers['x-batch-validation'] as string | undefined) ?? null,
      emails: JSON.parse(body),
      status: 0,
    };
    fake.requests.push(request);
    count += 1;
    const fault = fake.fault(count, request);
    if (fault && 'status' in fault) {
      request.status = fault.status;
      return reply(
        res,
        fault.status,
        { statusCode: fault.status, name: fault.name, message: fault.message ?? fault.name },
        fault.headers,
      );
    }
    if (key !== null) {
      const seen = keys.get(key);
      if (seen && seen.body !== hash(body)) {
        request.status = 409;
        return reply(res, 409, { statusCode: 409, name: 'invalid_idempotent_request', message: 'key reused with another payload' });
      }
      if (seen) {
        request.status = seen.status;
        return reply(res, seen.status, seen.answer);
      }
    }
    if (request.emails.length > 100) {
      request.status = 422;
      return reply(res, 422, { statusCode: 422, name: 'validation_error', message: 'at most 100 emails per batch' });
    }
    const data: Array<{ id: string }> = [];
    const errors: Array<{ index: number; message: string }> = [];
    request.emails.forEach((email, index) => {
      const to = email.to[0] ?? '';
      if (invalid.test(to) && request.validation === 'permissive') {
        errors.push({ index, message: `Invalid \`to\` field: ${to}` });
        return;
      }
      const id = `re_${String(nextId++).padStart(6, '0')}`;
      data.push({ id });
      fake.delivered.push({ to, id, key, subject: email.subject, html: email.html, text: email.text, headers: email.headers ?? {} });
    });
    const answer = { data, errors };
    if (key !== null) keys.set(key, { body: hash(body), status: 200, answer });
    if (fault && 'processThen' in fault) {
      request.status = 500;
      return reply(res, 500, { statusCode: 500, name: 'internal_server_error', message: 'lost the answer' });
    }
    request.status = 200;
    return reply(res, 200, answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}
