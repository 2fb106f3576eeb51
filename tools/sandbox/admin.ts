import { DAY_MS } from '../../src/time.js';
import { isObject } from '../../src/validate.js';
import type { FaultRules } from './faults.js';
import type { SandboxHost } from './host.js';

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

/** What the sandbox holds, without any secret: names, versions, counts, token ids. */
function state(host: SandboxHost): AdminAnswer {
  const now = host.clock.nowMs();
  return ok({
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
    calls: Object.fromEntries(host.callCounts()),
    faultsInjected: Object.fromEntries(host.faults.injected),
  });
}

/** The admin routes, by path under `/_sandbox/`, then by method. */
const ROUTES: Readonly<Record<string, Readonly<Record<string, Route>>>> = {
  health: { GET: health },
  clock: { GET: clock, POST: clock },
  faults: { GET: faults, POST: faults, DELETE: faults },
  licenses: { GET: licenses, POST: licenses },
  state: { GET: state },
};

/**
 * The admin API under `/_sandbox/`, for `npm start -- --serve` users and tests in another
 * process: clock, faults, licenses, state, health. It never returns a token value.
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
