import { DAY_MS } from '../../src/time.js';
import { isObject } from '../../src/validate.js';
import type { FaultRules } from './faults.js';
import type { SandboxHost } from './host.js';
import { redact } from './redact.js';

/** An admin answer: a status and a JSON body. */
export interface AdminAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** One admin route: answers a request with its method and JSON body. */
type Route = (host: SandboxHost, method: string, body: unknown) => AdminAnswer;

const bad = (message: string): AdminAnswer => ({ status: 400, body: { error: message } });

const ok = (body: unknown): AdminAnswer => ({ status: 200, body });

function health(host: SandboxHost): AdminAnswer {
  return ok({ ok: true, endpoint: host.endpoint, now: host.clock.now().toISOString() });
}

function clock(host: SandboxHost, method: string, body: unknown): AdminAnswer {
  if (method === 'POST') {
    if (!isObject(body)) return bad('expected a JSON object: {advanceMs}, {advanceDays} or {set}');
    if (typeof body.advanceMs === 'number') host.clock.advance(body.advanceMs);
    else if (typeof body.advanceDays === 'number') host.clock.advance(body.advanceDays * DAY_MS);
    else if (typeof body.set === 'string' && !Number.isNaN(Date.parse(body.set))) {
      host.clock.set(new Date(body.set));
    } else return bad('expected {advanceMs: number}, {advanceDays: number} or {set: ISO date}');
  }
  return ok({ now: host.clock.now().toISOString(), offsetMs: host.clock.offsetMs });
}

function faults(host: SandboxHost, method: string, body: unknown): AdminAnswer {
  if (method === 'DELETE') host.faults.clear();
  if (method === 'POST') {
    if (!isObject(body))
      return bad('expected {throttle?: [...], failNext?: [...], latency?: [...]}');
    try {
      host.faults.add(body as FaultRules);
    } catch (error) {
      return bad((error as Error).message);
    }
  }
  return ok({ rules: host.faults.rules(), injected: Object.fromEntries(host.faults.injected) });
}

function licenses(host: SandboxHost, method: string, body: unknown): AdminAnswer {
  if (method === 'POST') {
    if (!isObject(body) || typeof body.licenseArn !== 'string') {
      return bad('expected {licenseArn: string, homeRegion?: string, gone?: boolean}');
    }
    try {
      host.licenseManager.addLicense({
        licenseArn: body.licenseArn,
        ...(typeof body.homeRegion === 'string' ? { homeRegion: body.homeRegion } : {}),
        ...(typeof body.gone === 'boolean' ? { gone: body.gone } : {}),
      });
    } catch (error) {
      return bad((error as Error).message);
    }
  }
  return ok({ licenses: host.licenseManager.licenses() });
}

function buses(host: SandboxHost, method: string, body: unknown): AdminAnswer {
  if (method === 'POST') {
    if (!isObject(body) || typeof body.name !== 'string') return bad('expected {name: string}');
    try {
      host.events.addBus(body.name);
    } catch (error) {
      return bad((error as Error).message);
    }
  }
  return ok({ buses: host.events.buses() });
}

/** Every event put, as a test in another process reads it back. */
const events = (host: SandboxHost) =>
  host.events.put().map((e) => ({
    id: e.id,
    time: e.time.toISOString(),
    region: e.region,
    bus: e.bus,
    source: e.source,
    detailType: e.detailType,
    detail: e.detail,
    resources: e.resources,
  }));

/** The role sessions STS issued: key ids, roles, licenses, expiry; never a secret or session token. */
const sessions = (host: SandboxHost) =>
  host.sts.issued().map((c) => ({
    accessKeyId: c.accessKeyId,
    roleArn: c.roleArn,
    roleSessionName: c.roleSessionName,
    licenseArn: c.licenseArn,
    region: c.region,
    issuedAt: c.issuedAt.toISOString(),
    expiresAt: c.expiresAt.toISOString(),
  }));

/**
 * What the sandbox holds, without any secret: names, versions, counts, token ids, events and role
 * sessions. Event details are the callers' own JSON, so whatever they carry is redacted of tokens.
 */
function state(host: SandboxHost): AdminAnswer {
  const now = host.clock.nowMs();
  const snapshot = {
    now: new Date(now).toISOString(),
    parameters: host.ssm.parameters().map((p) => ({
      name: p.name,
      type: p.type,
      version: p.version,
      lastModified: p.lastModified.toISOString(),
    })),
    queues: host.sqs.queues().map((q) => ({
      name: q.name,
      arn: q.arn,
      ...q.counts(now),
      oldestMessageAgeMs: q.oldestMessageAgeMs(now),
    })),
    tokens: host.licenseManager.tokens().map((t) => ({
      tokenId: t.tokenId,
      licenseArn: t.licenseArn,
      clientToken: t.clientToken,
      mintedAt: t.mintedAt.toISOString(),
      expiresAt: t.expiresAt.toISOString(),
      status: t.status,
    })),
    buses: host.events.buses(),
    events: events(host),
    sessions: sessions(host),
    calls: Object.fromEntries(host.callCounts()),
    faultsInjected: Object.fromEntries(host.faults.injected),
  };
  return ok(redact(snapshot, (text) => host.sts.isSecret(text)));
}

/** The admin routes, by path under `/_sandbox/`, then by method. */
const ROUTES: Readonly<Record<string, Readonly<Record<string, Route>>>> = {
  health: { GET: health },
  clock: { GET: clock, POST: clock },
  faults: { GET: faults, POST: faults, DELETE: faults },
  licenses: { GET: licenses, POST: licenses },
  buses: { GET: buses, POST: buses },
  state: { GET: state },
};

/**
 * The admin API under `/_sandbox/`, for `npm start -- --serve` users and tests in another
 * process: clock, faults, licenses, buses, state, health. It never returns a token value.
 */
export function admin(host: SandboxHost, method: string, path: string, body: unknown): AdminAnswer {
  const name = path.replace(/^\/_sandbox\/?/, '').replace(/\/$/, '');
  const methods = Object.hasOwn(ROUTES, name) ? ROUTES[name] : undefined;
  if (methods === undefined)
    return { status: 404, body: { error: `no admin route ${path}`, routes: Object.keys(ROUTES) } };
  const route = Object.hasOwn(methods, method) ? methods[method] : undefined;
  if (route === undefined)
    return { status: 405, body: { error: `${method} not allowed on ${path}` } };
  return route(host, method, body);
}
