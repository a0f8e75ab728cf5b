// The Azure target against a fake az on the PATH (never real Azure): the command sequence of a release, re-runs,
// rollbacks before and after the swap, and the errors for missing settings, a missing az and a missing login.
import { describe, expect, it } from 'vitest';
import { BatonError } from '../../../../src/errors/index.js';
import {
  AzNotInstalledError,
  AzNotLoggedInError,
  AzureTarget,
  azureDeploymentName,
  azureSettingsFromEnv,
} from '../../../../src/workflows/build-pipeline/deploy/azure/index.js';
import { DeployOutcome, type DeployProgress } from '../../../../src/workflows/build-pipeline/deploy/contracts.js';
import { checkHealth } from '../../../../src/workflows/build-pipeline/deploy/health.js';
import { RESOURCE_GROUP, SQL_PASSWORD, SUBSCRIPTION, optionOf, subcommand, useAzureBench } from './azure-fixture.js';

const bench = useAzureBench();

const count = (calls: string[][], command: string) => calls.filter((c) => subcommand(c) === command).length;

// Every az call is a fresh Node process (the fake), about half a second each on a loaded machine: a release is a dozen.
describe('the Azure target', { timeout: 120_000 }, () => {
  it('deploys a release through validate, what-if, an incremental deployment, the staging slot and a swap, checking the staging host over HTTP', async () => {
    const b = await bench();
    const sha = await b.commit('first release');
    const progress: DeployProgress[] = [];
    const outcome = await b.target().deploy(b.release(sha), { onProgress: (p) => progress.push(p) });

    expect(DeployOutcome.parse(outcome)).toEqual(outcome);
    expect(outcome).toMatchObject({ status: 'live', target: 'azure', environment: 'prod', commit: sha, previous_commit: null, switched: true, rollback: null });
    expect(outcome.deployment).toBe(azureDeploymentName('build-expenses-1', 'prod', sha));
    expect(outcome.url).toBe(`http://${b.env.FAKE_AZ_HOST_PRODUCTION}`);
    expect(outcome.smoke.length).toBeGreaterThanOrEqual(4);
    expect(outcome.smoke.every((s) => s.passed)).toBe(true);

    const calls = await b.calls();
    expect(calls.map(subcommand)).toEqual([
      'account show',
      'deployment group show',
      'deployment group validate',
      'deployment group what-if',
      'deployment group create',
      'webapp show',
      'webapp deployment slot list',
      'webapp deployment slot create',
      'webapp config appsettings set',
      'webapp config set',
      'webapp deploy',
      'webapp show',
      'webapp deployment slot swap',
    ]);
    for (const call of calls) expect(optionOf(call, '--subscription')).toBe(SUBSCRIPTION);
    for (const call of calls.slice(1)) expect(optionOf(call, '--resource-group')).toBe(RESOURCE_GROUP);
    const create = calls.find((c) => subcommand(c) === 'deployment group create') as string[];
    expect(optionOf(create, '--mode')).toBe('Incremental');
    expect(optionOf(create, '--name')).toBe(outcome.deployment);
    for (const call of calls.filter((c) => subcommand(c).startsWith('deployment group') && subcommand(c) !== 'deployment group show')) {
      expect(call[call.indexOf('--parameters') + 1]).toMatch(/\/infra\/main\.parameters\.prod\.json$/);
      expect(optionOf(call, '--template-file')).toMatch(/\/infra\/main\.json$/);
    }
    const deploy = calls.find((c) => subcommand(c) === 'webapp deploy') as string[];
    expect([optionOf(deploy, '--slot'), optionOf(deploy, '--type'), optionOf(deploy, '--name')]).toEqual(['staging', 'zip', 'expenses-prod']);
    expect(optionOf(calls.at(-2) as string[], '--slot')).toBe('staging');
    const swap = calls.at(-1) as string[];
    expect([optionOf(swap, '--slot'), optionOf(swap, '--target-slot')]).toEqual(['staging', 'production']);
    const config = calls.find((c) => subcommand(c) === 'webapp config set') as string[];
    expect([optionOf(config, '--slot'), optionOf(config, '--startup-file')]).toEqual(['staging', 'node migrate.js && exec node server.js']);
    // Secrets travel in files, never on a command line.
    expect(JSON.stringify(calls)).not.toContain(SQL_PASSWORD);
    expect(JSON.stringify(calls)).not.toContain(b.release(sha).api_key);

    // Health and smoke ran against the staging slot's own host before the swap; production answers the commit after it.
    expect(b.staging.requests).toContain('GET /health');
    expect(b.staging.requests).toEqual(expect.arrayContaining(['POST /api/expenses', 'PUT /api/expenses/1', 'DELETE /api/expenses/1']));
    expect(outcome.health_attempts).toBeGreaterThanOrEqual(1);
    expect(progress.map((p) => p.type)).toEqual(expect.arrayContaining(['checkout', 'slot_started', 'health_attempt', 'smoke', 'switch', 'watch']));
    expect((await checkHealth(outcome.url, sha)).ok).toBe(true);

    const [recorded] = await b.target().deployments('build-expenses-1', 'prod');
    expect(recorded).toMatchObject({ name: outcome.deployment, commit: sha, created: true, status: 'live' });
    expect(recorded?.what_if.map((c) => c.change_type)).toContain('Create');
  });

  it('uses the environment’s own parameter file and site for a dev release', async () => {
    const b = await bench();
    const sha = await b.commit('dev release');
    const outcome = await b.target().deploy(b.release(sha, 'dev'));
    expect(outcome.status).toBe('live');
    const calls = await b.calls();
    const create = calls.find((c) => subcommand(c) === 'deployment group create') as string[];
    expect(create[create.indexOf('--parameters') + 1]).toMatch(/\/infra\/main\.parameters\.dev\.json$/);
    expect(optionOf(create, '--name')).toBe(azureDeploymentName('build-expenses-1', 'dev', sha));
    expect(optionOf(calls.at(-1) as string[], '--name')).toBe('expenses-dev');
  });

  it('creates nothing twice when the same release runs again, and answers already_live', async () => {
    const b = await bench();
    const sha = await b.commit('first release');
    expect((await b.target().deploy(b.release(sha))).status).toBe('live');
    // A new target on the same state directory, as after a Baton restart.
    const again = await b.target().deploy(b.release(sha));
    expect(again).toMatchObject({ status: 'already_live', commit: sha, deployment: azureDeploymentName('build-expenses-1', 'prod', sha), rollback: null });
    const calls = await b.calls();
    expect(count(calls, 'deployment group create')).toBe(1);
    expect(count(calls, 'webapp deployment slot swap')).toBe(1);
    expect(count(calls, 'webapp deploy')).toBe(1);
    expect(count(calls, 'deployment group show')).toBe(2);
  });

  it('does not swap a release whose staging slot answers 500 on /health, and leaves production serving the previous one', async () => {
    const b = await bench();
    const first = await b.commit('first release');
    await b.target().deploy(b.release(first));
    const second = await b.commit('broken release');
    b.faults.health500.add(second);

    const outcome = await b.target({ healthTries: 5 }).deploy(b.release(second));
    expect(outcome).toMatchObject({ status: 'rolled_back', previous_commit: first, switched: false, health_attempts: 5 });
    expect(outcome.rollback?.stage).toBe('health');
    expect(outcome.rollback?.reason).toContain('500');
    expect(typeof outcome.rollback?.seconds).toBe('number');
    const calls = await b.calls();
    expect(count(calls, 'webapp deployment slot swap')).toBe(1);
    expect(count(calls, 'webapp deployment slot create')).toBe(1);
    expect(count(calls, 'deployment group create')).toBe(2);
    expect((await checkHealth(outcome.url, first)).ok).toBe(true);
    const records = await b.target().deployments('build-expenses-1', 'prod');
    expect(records.map((r) => [r.commit, r.status])).toEqual([
      [first, 'live'],
      [second, 'rolled_back'],
    ]);
  });

  it('does not swap a release that fails a smoke test on the staging slot', async () => {
    const b = await bench();
    const sha = await b.commit('lets any key in');
    b.faults.anyApiKey.add(sha);
    const outcome = await b.target().deploy(b.release(sha));
    expect(outcome).toMatchObject({ status: 'rolled_back', switched: false, previous_commit: null });
    expect(outcome.rollback?.stage).toBe('smoke');
    expect(outcome.smoke.filter((s) => !s.passed).map((s) => s.name)).toEqual([
      'a request without an API key is refused',
      'a request with a wrong API key is refused',
    ]);
    expect(count(await b.calls(), 'webapp deployment slot swap')).toBe(0);
    expect(b.production.requests).toEqual([expect.stringMatching(/^GET \/health$/)]);
  });

  it('swaps back when production fails the watch after the swap', async () => {
    const b = await bench();
    const first = await b.commit('first release');
    await b.target().deploy(b.release(first));
    const second = await b.commit('crashes after the switch');
    b.faults.productionHealth500.add(second);

    const progress: DeployProgress[] = [];
    const outcome = await b.target().deploy(b.release(second), { onProgress: (p) => progress.push(p) });
    expect(outcome).toMatchObject({ status: 'rolled_back', previous_commit: first, switched: true });
    expect(outcome.rollback?.stage).toBe('watch');
    expect(outcome.smoke.every((s) => s.passed)).toBe(true);
    const calls = await b.calls();
    const swaps = calls.filter((c) => subcommand(c) === 'webapp deployment slot swap');
    expect(swaps).toHaveLength(3);
    expect(calls.at(-1)).toEqual(swaps[2]);
    expect(progress.find((p) => p.type === 'rollback')?.payload).toMatchObject({ stage: 'watch', swapped_back: true });
    expect((await checkHealth(outcome.url, first)).ok).toBe(true);
    expect(await b.target().status('build-expenses-1', 'prod')).toMatchObject({ live_commit: first, healthy: true });
  });

  it('rolls back without a swap when an az step fails before it, with az’s error in the reason', async () => {
    const b = await bench();
    const sha = await b.commit('first release');
    const outcome = await b.target({ env: { ...b.env, FAKE_AZ_FAIL: 'webapp deploy' } }).deploy(b.release(sha));
    expect(outcome).toMatchObject({ status: 'rolled_back', switched: false });
    expect(outcome.rollback?.stage).toBe('start');
    expect(outcome.rollback?.reason).toContain('FakeFailure');
    expect(count(await b.calls(), 'webapp deployment slot swap')).toBe(0);
  });

  it('stops at a template that fails validation: no what-if, no deployment, no swap', async () => {
    const b = await bench();
    const sha = await b.commit('first release');
    const outcome = await b.target({ env: { ...b.env, FAKE_AZ_FAIL: 'deployment group validate' } }).deploy(b.release(sha));
    expect(outcome).toMatchObject({ status: 'rolled_back', switched: false, previous_commit: null });
    expect(outcome.rollback?.stage).toBe('provision');
    expect(outcome.rollback?.reason).toContain('deployment group validate');
    expect((await b.calls()).map(subcommand)).toEqual(['account show', 'deployment group show', 'deployment group validate']);
  });

  it('reports status and reconciles from az webapp show, and teardown stops the site and forgets it', async () => {
    const b = await bench();
    const sha = await b.commit('first release');
    const target = b.target();
    await target.deploy(b.release(sha));
    expect(await target.status('build-expenses-1', 'prod')).toEqual({
      build_id: 'build-expenses-1',
      environment: 'prod',
      url: `http://${b.env.FAKE_AZ_HOST_PRODUCTION}`,
      live_commit: sha,
      live_slot: 'blue',
      processes: [],
      healthy: true,
    });
    expect(await target.status('build-expenses-1', 'dev')).toBeNull();
    expect(await b.target().reconcile()).toEqual({ environments: 1, restarted: [], stopped: [], healthy: ['build-expenses-1/prod'] });

    await target.teardown('build-expenses-1');
    const stops = (await b.calls()).filter((c) => subcommand(c) === 'webapp stop');
    expect(stops.map((c) => optionOf(c, '--slot') ?? 'production')).toEqual(['production', 'staging']);
    expect(await target.status('build-expenses-1', 'prod')).toBeNull();
    expect(await target.reconcile()).toEqual({ environments: 0, restarted: [], stopped: [], healthy: [] });
  });
});

describe('the Azure target’s settings and prerequisites', () => {
  it('refuses to start without a subscription, resource group or location, naming the variables', async () => {
    const b = await bench();
    const env = { ...b.env, BATON_AZURE_RESOURCE_GROUP: '', BATON_AZURE_LOCATION: undefined };
    const error = (() => {
      try {
        return new AzureTarget({ stateDir: b.dir, env });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).code).toBe('INCOMPLETE_INPUT');
    expect((error as BatonError).message).toContain('BATON_AZURE_RESOURCE_GROUP');
    expect((error as BatonError).message).toContain('BATON_AZURE_LOCATION');
  });

  it('refuses a malformed location as invalid', () => {
    let error: unknown;
    try {
      azureSettingsFromEnv({ BATON_AZURE_SUBSCRIPTION: 's', BATON_AZURE_RESOURCE_GROUP: 'rg', BATON_AZURE_LOCATION: 'West Europe' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(BatonError);
    expect((error as BatonError).code).toBe('INVALID_PARAMETERS');
    expect((error as BatonError).message).toContain('BATON_AZURE_LOCATION');
  });

  it('says az is not logged in when az account show fails, and runs nothing else', async () => {
    const b = await bench();
    const sha = await b.commit('first release');
    const target = b.target({ env: { ...b.env, FAKE_AZ_FAIL: 'account show' } });
    const error = await target.deploy(b.release(sha)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AzNotLoggedInError);
    expect((error as AzNotLoggedInError).code).toBe('UNAUTHORIZED');
    expect((error as AzNotLoggedInError).message).toContain('az login');
    expect((await b.calls()).map(subcommand)).toEqual(['account show']);
  });

  it('says az is not installed when the binary is missing', async () => {
    const b = await bench();
    const sha = await b.commit('first release');
    const target = b.target({ env: { ...b.env, BATON_AZ_PATH: `${b.dir}/no-such-az` } });
    const error = await target.deploy(b.release(sha)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AzNotInstalledError);
    expect((error as AzNotInstalledError).message).toContain('no-such-az');
  });

  it('asks for the SQL administrator password when the template needs it and no setting gives it', async () => {
    const b = await bench();
    const sha = await b.commit('first release');
    const target = b.target({ env: { ...b.env, BATON_AZURE_SQL_ADMIN_PASSWORD: undefined } });
    await expect(target.deploy(b.release(sha))).rejects.toMatchObject({ code: 'INCOMPLETE_INPUT', suggestions: ['set BATON_AZURE_SQL_ADMIN_PASSWORD'] });
    expect(count(await b.calls(), 'deployment group create')).toBe(0);
  });
});
