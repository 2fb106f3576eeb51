import { DAY_MS } from '../../src/time.js';
import { isObject } from '../../src/validate.js';
import type { FaultRules } from './faults.js';
import type { Sandbox } from './sandbox.js';

/** An admin answer: a status and a JSON body. */
export interface AdminAnswer {
  readonly status: number;
  readonly body: unknown;
}

const bad = (message: string): AdminAnswer => ({ status: 400, body: { error: message } });

function clock(sandbox: Sandbox, method: string, body: unknown): AdminAnswer {
  if (method === 'POST') {
    if (!isObject(body)) return bad('expected a JSON object: {advanceMs}, {advanceDays} or {set}');
    if (typeof body.advanceMs === 'number') sandbox.clock.advance(body.advanceMs);
    else if (typeof body.advanceDays === 'number') sandbox.clock.advance(body.advanceDays * DAY_MS);
    else if (typeof body.set === 'string' && !Number.isNaN(Date.parse(body.set))) {
      sandbox.clock.set(new Date(body.set));
    } else return bad('expected {advanceMs: number}, {advanceDays: number} or {set: ISO date}');
  }
  return {
    status: 200,
    body: { now: sandbox.clock.now().toISOString(), offsetMs: sandbox.clock.offsetMs },
  };
}

function faults(sandbox: Sandbox, method: string, body: unknown): AdminAnswer {
  if (method === 'DELETE') sandbox.faults.clear();
  if (method === 'POST') {
    if (!isObject(body))
      return bad('expected {throttle?: [...], failNext?: [...], latency?: [...]}');
    try {
      sandbox.faults.add(body as FaultRules);
    } catch (error) {
      return bad((error as Error).message);
    }
  }
  return {
    status: 200,
    body: { rules: sandbox.faults.rules(), injected: Object.fromEntries(sandbox.faults.injected) },
  };
}

function licenses(sandbox: Sandbox, method: string, body: unknown): AdminAnswer {
  if (method === 'POST') {
    if (!isObject(body) || typeof body.licenseArn !== 'string') {
      return bad('expected {licenseArn: string, homeRegion?: string, gone?: boolean}');
    }
    try {
      sandbox.licenseManager.addLicense({
        licenseArn: body.licenseArn,
        ...(typeof body.homeRegion === 'string' ? { homeRegion: body.homeRegion } : {}),
        ...(typeof body.gone === 'boolean' ? { gone: body.gone } : {}),
      });
    } catch (error) {
      return bad((error as Error).message);
    }
  }
  return { status: 200, body: { licenses: sandbox.licenseManager.licenses() } };
}

/** What the sandbox holds, without any secret: names, versions, counts, token ids. */
function state(sandbox: Sandbox): AdminAnswer {
  const now = sandbox.clock.nowMs();
  return {
    status: 200,
    body: {
      now: new Date(now).toISOString(),
      parameters: sandbox.ssm.parameters().map((p) => ({
        name: p.name,
        type: p.type,
        version: p.version,
        lastModified: p.lastModified.toISOString(),
      })),
      queues: sandbox.sqs.queues().map((q) => ({
        name: q.name,
        arn: q.arn,
        ...q.counts(now),
        oldestMessageAgeMs: q.oldestMessageAgeMs(now),
      })),
      tokens: sandbox.licenseManager.tokens().map((t) => ({
        tokenId: t.tokenId,
        licenseArn: t.licenseArn,
        clientToken: t.clientToken,
        mintedAt: t.mintedAt.toISOString(),
        expiresAt: t.expiresAt.toISOString(),
        status: t.status,
      })),
      calls: Object.fromEntries(sandbox.callCounts()),
      faultsInjected: Object.fromEntries(sandbox.faults.injected),
    },
  };
}

/**
 * The admin API under `/_sandbox/`, for `npm start -- --serve` users and tests in another
 * process: clock, faults, licenses, state, health. It never returns a token value.
 */
export function admin(sandbox: Sandbox, method: string, path: string, body: unknown): AdminAnswer {
  const route = path.replace(/^\/_sandbox\/?/, '').replace(/\/$/, '');
  const allowed: Record<string, readonly string[]> = {
    health: ['GET'],
    clock: ['GET', 'POST'],
    faults: ['GET', 'POST', 'DELETE'],
    licenses: ['GET', 'POST'],
    state: ['GET'],
  };
  const methods = allowed[route];
  if (methods === undefined)
    return { status: 404, body: { error: `no admin route ${path}`, routes: Object.keys(allowed) } };
  if (!methods.includes(method))
    return { status: 405, body: { error: `${method} not allowed on ${path}` } };
  switch (route) {
    case 'clock':
      return clock(sandbox, method, body);
    case 'faults':
      return faults(sandbox, method, body);
    case 'licenses':
      return licenses(sandbox, method, body);
    case 'state':
      return state(sandbox);
    default:
      return {
        status: 200,
        body: { ok: true, endpoint: sandbox.endpoint, now: sandbox.clock.now().toISOString() },
      };
  }
}
