/**
 * A RunStore that measures itself: the latency of every commit (one transaction) and the lease
 * renewals, around any RunStore implementation. Everything else passes through untouched.
 */
import { StaleRunError } from '../errors/index.js';
import type { RunStore } from '../store/types.js';
import type { Telemetry } from './telemetry.js';

export function instrumentStore<S extends RunStore>(store: S, { metrics }: Telemetry): S {
  const commit: RunStore['commit'] = async (work) => {
    const started = process.hrtime.bigint();
    let result = 'ok';
    try {
      return await store.commit(work);
    } catch (error) {
      result = error instanceof StaleRunError ? 'stale' : 'error';
      throw error;
    } finally {
      metrics.commitDuration.observe({ dialect: store.dialect, result }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
  const renewLeases: RunStore['renewLeases'] = async (owner, runIds, expiresAt) => {
    try {
      await store.renewLeases(owner, runIds, expiresAt);
      metrics.leaseRenewals.inc({ result: 'ok' });
      metrics.leaseRenewedRuns.inc(runIds.length);
    } catch (error) {
      metrics.leaseRenewals.inc({ result: 'error' });
      throw error;
    }
  };
  const own: Partial<Record<PropertyKey, unknown>> = { commit, renewLeases };
  const bound = new Map<PropertyKey, unknown>();
  // A Proxy rather than a copy: the implementations are classes whose methods use `this`, and
  // whatever a store adds (retail, dialect-specific helpers) stays reachable without a list here.
  return new Proxy(store, {
    get(target, key) {
      if (key in own) return own[key];
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      let fn = bound.get(key);
      if (fn === undefined) {
        fn = (value as (...args: unknown[]) => unknown).bind(target);
        bound.set(key, fn);
      }
      return fn;
    },
  });
}
