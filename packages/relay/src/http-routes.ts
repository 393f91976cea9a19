/**
 * The relay's HTTP side: `/healthz`, `/metrics`, the status page at `/` with live Server-Sent
 * Events at `/events`, and pull/push of changes for clients that cannot keep a socket:
 * `GET /v1/db/:id/changes?since=<version vector JSON>` and `POST /v1/db/:id/changes`, plus
 * `GET /v1/db/:id`: the stored change count, heads, version vector and the newest rejected changes.
 * Bodies are canonical CBOR arrays of signed change bytes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WeftError, decode, encode, toWeftError, type CanonicalValue, type Replica } from '@weft/engine';
import type { DbRegistry } from './db-registry.ts';
import type { RelayLimits } from './relay-options.ts';
import { STATUS_PAGE } from './status-page.ts';

/** What the routes need. */
export interface HttpContext {
  readonly registry: DbRegistry;
  readonly limits: RelayLimits;
  metrics(): string;
  status(): unknown;
  /** SSE subscribers get `status()` every second. */
  readonly sse: Set<ServerResponse>;
}

const HTTP_STATUS: Partial<Record<WeftError['code'], number>> = {
  E_INVALID_ARGUMENT: 400,
  E_DECODE: 400,
  E_PROTOCOL: 400,
  E_PERMISSION: 403,
  E_NOT_FOUND: 404,
  E_TOO_LARGE: 413,
  E_QUOTA: 507,
};

function sendError(res: ServerResponse, err: unknown): void {
  const e = toWeftError(err);
  res.writeHead(HTTP_STATUS[e.code] ?? 500, { 'content-type': 'application/json' });
  res.end(JSON.stringify(e.toData()));
}

function readBody(req: IncomingMessage, max: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new WeftError('E_TOO_LARGE', `body over ${max} bytes`));
        req.destroy();
        return;
      }
      parts.push(c);
    });
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(parts))));
    req.on('error', reject);
  });
}

function parseSince(raw: string | null): Record<string, number> {
  if (raw === null || raw === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw new WeftError('E_INVALID_ARGUMENT', 'since must be a JSON version vector');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new WeftError('E_INVALID_ARGUMENT', 'since must be an object');
  for (const [k, n] of Object.entries(v))
    if (!/^[0-9a-f]{64}$/.test(k) || !Number.isSafeInteger(n) || (n as number) < 0)
      throw new WeftError('E_INVALID_ARGUMENT', 'since maps author ids to sequence numbers');
  return v as Record<string, number>;
}

/** Changes of `replica` the version vector `since` lacks, oldest first, at most `max`. */
function changesSince(
  replica: Replica,
  since: Record<string, number>,
  max: number,
): { out: Uint8Array[]; more: boolean } {
  const out: Uint8Array[] = [];
  for (const e of replica.changes()) {
    const c = e.sc.change;
    if (e.status !== 'applied' || e.covered === 'pruned' || c.seq <= (since[c.author] ?? 0)) continue;
    if (out.length === max) return { out, more: true };
    out.push(e.sc.bytes);
  }
  return { out, more: false };
}

/** Handles one request; returns false when no route matched. */
export async function handleHttp(req: IncomingMessage, res: ServerResponse, ctx: HttpContext): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://relay');
  const path = url.pathname;
  try {
    if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok\n');
    } else if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(ctx.metrics());
    } else if (req.method === 'GET' && path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(STATUS_PAGE);
    } else if (req.method === 'GET' && path === '/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      res.write(`data: ${JSON.stringify(ctx.status())}\n\n`);
      ctx.sse.add(res);
      req.on('close', () => ctx.sse.delete(res));
    } else if (req.method === 'GET' && /^\/v1\/db\/[^/]+$/.test(path)) {
      const replica = await ctx.registry.get(path.slice('/v1/db/'.length));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          db: replica.dbId,
          changes: replica.changes().length,
          heads: replica.heads(),
          versionVector: replica.versionVector(),
          // The newest stored-but-invalid changes and why (rules, equivocation): what the relay judged.
          rejected: replica
            .changes()
            .filter((e) => e.status === 'rejected')
            .slice(-100)
            .map((e) => ({ hash: e.sc.hash, reason: e.reason })),
        }),
      );
    } else {
      const m = /^\/v1\/db\/([^/]+)\/changes$/.exec(path);
      if (m === null) return false;
      const replica = await ctx.registry.get(m[1]!);
      if (req.method === 'GET') {
        const { out, more } = changesSince(replica, parseSince(url.searchParams.get('since')), ctx.limits.pullBatch);
        res.writeHead(200, { 'content-type': 'application/cbor', 'x-weft-more': more ? '1' : '0' });
        res.end(encode(out));
      } else if (req.method === 'POST') {
        const body = decode(await readBody(req, ctx.limits.maxBodyBytes)) as CanonicalValue;
        if (!Array.isArray(body) || !body.every((b) => b instanceof Uint8Array))
          throw new WeftError('E_INVALID_ARGUMENT', 'body must be a CBOR array of change bytes');
        const results = await replica.ingestMany(body as Uint8Array[]);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(results.map((r) => ({ hash: r.hash ?? null, status: r.status, code: r.code ?? null }))));
      } else return false;
    }
  } catch (err) {
    sendError(res, err);
  }
  return true;
}
