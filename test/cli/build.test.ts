// `baton build` on real databases: an idea added from the command line (refused with each bad option named), listed,
// readable over HTTP; the cost roll-up and `down` on a machine with no build yet.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runBuildCli } from '../../src/cli/build.js';
import { buildData } from '../../src/workflows/build-pipeline/data/index.js';
import { describeEachStore, type TestStore } from '../support/stores.js';

interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

describeEachStore('baton build', (kind) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await kind.create();
  });
  afterEach(() => t.dispose());

  async function cli(...args: string[]): Promise<Output> {
    let stdout = '';
    let stderr = '';
    const saved = { url: process.env.DATABASE_URL, dir: process.env.BATON_BUILD_DIR };
    if (t.connection.databaseUrl === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = t.connection.databaseUrl;
    const buildDir = (process.env.BATON_BUILD_DIR = mkdtempSync(join(tmpdir(), 'baton-cli-builds-')));
    try {
      const where = t.connection.sqlitePath === undefined || args[0] === 'down' ? [] : ['--db', t.connection.sqlitePath];
      const code = await runBuildCli(['build', ...args, ...where], { out: (text) => (stdout += text), err: (text) => (stderr += text) });
      return { code, stdout, stderr };
    } finally {
      for (const [name, value] of [
        ['DATABASE_URL', saved.url],
        ['BATON_BUILD_DIR', saved.dir],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      rmSync(buildDir, { recursive: true, force: true });
    }
  }

  it('adds an idea from the command line, says whether it can be built, and lists it', async () => {
    const added = await cli(
      'idea',
      'add',
      '--title',
      'Expense tracker',
      '--description',
      'Teams record what they spend.',
      '--requirement',
      'Users can track expenses',
      '--requirement',
      'Managers approve',
      '--score',
      '92',
      '--champion',
      'dana',
    );
    expect(added.code, added.stderr).toBe(0);
    const id = /idea (idea-\S+) "Expense tracker" added; it can be built: POST \/api\/builds\/ideas\/\1\/build/.exec(added.stdout)?.[1];
    expect(id).toBeDefined();
    expect(await buildData(t.store).idea(id ?? '')).toMatchObject({
      viability_score: 92,
      requirements: ['Users can track expenses', 'Managers approve'],
      champion: 'dana',
    });
    const low = await cli('idea', 'add', '--title', 'Meh', '--description', 'd', '--score', '85', '--champion', 'x');
    expect(low.stdout).toMatch(/will not be built: its viability score 85 is not above the threshold of 85/);
    const listed = await cli('idea', 'list');
    expect(listed.stdout).toContain('Expense tracker (champion dana)');
    expect(listed.stdout).toMatch(/2 ideas/);
  });

  it('refuses an idea whose score is not a number from 0 to 100, naming the option, and stores nothing', async () => {
    const refused = await cli('idea', 'add', '--title', 'T', '--description', 'd', '--score', 'lots', '--champion', 'x');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/score/);
    expect((await buildData(t.store).listIdeas()).total).toBe(0);
  });

  it('rolls up no cost and stops nothing before any build', async () => {
    const costs = await cli('costs');
    expect(costs.code).toBe(0);
    expect(costs.stdout).toContain('0 builds: $0.00 a month in all');
    const down = await cli('down');
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('no app is running');
  });
});
