// The cluster settings a `baton serve` node reads: the node heartbeat defaults to a third of the lease and must beat more often than the lease; its slots (BATON_MAX_RUNS).
import { expect, it } from 'vitest';
import { clusterSettingsFromEnv } from '../../src/cli/cluster-settings.js';
import { InvalidParametersError } from '../../src/errors/index.js';

/** What reading `env` throws (undefined when it is accepted). */
function refusalOf(env: NodeJS.ProcessEnv): unknown {
  try {
    clusterSettingsFromEnv(env);
  } catch (error) {
    return error;
  }
  return undefined;
}

it('beats every third of the lease unless BATON_NODE_HEARTBEAT_MS says otherwise', () => {
  expect(clusterSettingsFromEnv({})).toMatchObject({ leaseMs: 10_000, heartbeatMs: 3_333 });
  expect(clusterSettingsFromEnv({ BATON_LEASE_MS: '3000', BATON_POLL_MS: '500' })).toMatchObject({ heartbeatMs: 1_000 });
  expect(clusterSettingsFromEnv({ BATON_NODE_HEARTBEAT_MS: '2500' })).toMatchObject({ heartbeatMs: 2_500 });
});

it('is not confused by the streams’ BATON_HEARTBEAT_MS, which may well exceed the lease', () => {
  expect(clusterSettingsFromEnv({ BATON_HEARTBEAT_MS: '30000' })).toMatchObject({ heartbeatMs: 3_333 });
});

it('refuses a node heartbeat as slow as the lease or slower, and one that is not a number of milliseconds', () => {
  for (const value of ['10000', '20000', 'soon', '10']) {
    const thrown = refusalOf({ BATON_NODE_HEARTBEAT_MS: value });
    expect(thrown, value).toBeInstanceOf(InvalidParametersError);
    expect(JSON.stringify((thrown as InvalidParametersError).details), value).toContain('BATON_NODE_HEARTBEAT_MS');
  }
});

it('drives at most BATON_MAX_RUNS runs at once (default 1000), and refuses a count that is not a whole number from 1', () => {
  expect(clusterSettingsFromEnv({})).toMatchObject({ maxRuns: 1_000 });
  expect(clusterSettingsFromEnv({ BATON_MAX_RUNS: '4' })).toMatchObject({ maxRuns: 4 });
  for (const value of ['0', '-3', '2.5', 'many']) {
    const thrown = refusalOf({ BATON_MAX_RUNS: value });
    expect(thrown, value).toBeInstanceOf(InvalidParametersError);
    expect((thrown as InvalidParametersError).details.issues, value).toEqual([{ path: 'BATON_MAX_RUNS', message: expect.any(String) as string }]);
  }
});
