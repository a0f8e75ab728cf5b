// The build pipeline's settings: defaults when unset, whole numbers in range, a bad value refused naming its variable.
import { describe, expect, it } from 'vitest';
import { buildSettings } from '../../../src/workflows/build-pipeline/settings.js';

describe('build pipeline settings', () => {
  it('gives the local target thirty health polls half a second apart unless told otherwise', () => {
    expect(buildSettings({})).toMatchObject({ BATON_DEPLOY_HEALTH_TRIES: 30, BATON_DEPLOY_HEALTH_INTERVAL_MS: 500, BATON_DEPLOY_WATCH_MS: 3_000 });
    expect(buildSettings({ BATON_DEPLOY_HEALTH_TRIES: '5', BATON_DEPLOY_HEALTH_INTERVAL_MS: '250' })).toMatchObject({
      BATON_DEPLOY_HEALTH_TRIES: 5,
      BATON_DEPLOY_HEALTH_INTERVAL_MS: 250,
    });
  });

  it('refuses no health poll at all, a fraction and a pause too short to be one, naming the variable', () => {
    for (const [name, value] of [
      ['BATON_DEPLOY_HEALTH_TRIES', '0'],
      ['BATON_DEPLOY_HEALTH_TRIES', '2.5'],
      ['BATON_DEPLOY_HEALTH_INTERVAL_MS', '1'],
    ] as const) {
      expect(() => buildSettings({ [name]: value })).toThrow(
        expect.objectContaining({ code: 'INVALID_PARAMETERS', details: { issues: [expect.objectContaining({ path: name })] } }) as Error,
      );
    }
  });
});
