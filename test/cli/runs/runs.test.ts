// `baton runs` verbs on SQLite, PostgreSQL and a live server: the same output, the error vocabulary and the documented exit codes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventView, RunView } from '../../../src/cli/runs/backend.js';
import { EXIT } from '../../../src/cli/runs/index.js';
import { loadSmallChain, season } from '../../workflows/season-planning/support.js';
import { runCli, targetKinds, until, type Target } from './support.js';
import { seasonData } from '../../../src/workflows/season-planning/data/index.js';

const NOT_WAITING = /error CONFLICT: run "[^"]+" is not waiting for an approval/;

for (const kind of targetKinds) {
  describe(`baton runs [${kind.name}]`, () => {
    let target: Target;
    let dir: string;
    beforeAll(async () => {
      target = await kind.create();
      dir = mkdtempSync(join(tmpdir(), 'baton-runs-cli-'));
    });
    afterAll(async () => {
      await target.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** An editorial run waiting at its approval (drafted twice, reviewed twice). */
    const waitingRun = async (sessionId = 'cli-session'): Promise<string> => {
      const run = await target.engine.startRun('editorial', { topic: 'retention' }, { sessionId });
      await until(target.store, run.id, ['waiting']);
      return run.id;
    };

    it('lists runs as a table and as JSON, filtered by workflow, state, session and age', async () => {
      const a = await waitingRun('s-a');
      const b = await waitingRun('s-b');
      const table = await target.cli('list', '--session', 's-a');
      expect(table.code).toBe(EXIT.ok);
      expect(table.lines[0]).toMatch(/^RUN\s+WORKFLOW\s+STATE\s+PHASE\s+%\s+CREATED\s+SESSION$/);
      expect(table.lines[1]).toMatch(new RegExp(`^${a}\\s+editorial\\s+waiting\\s+approval\\s+\\d+\\s+\\d{4}-\\d\\d-\\d\\dT[\\d:]+Z\\s+s-a$`));
      expect(table.lines.at(-1)).toBe('1 of 1 run');

      const json = await target.cli('list', '--json', '--workflow', 'editorial', '--state', 'waiting', '--since', '1h');
      const listed = JSON.parse(json.stdout) as { runs: RunView[]; total: number };
      expect(listed.runs.map((r) => r.run_id)).toEqual(expect.arrayContaining([a, b]));
      expect(listed.total).toBe(listed.runs.length);
      expect(listed.runs.find((r) => r.run_id === a)).toMatchObject({
        workflow: 'editorial',
        state: 'waiting',
        phase: 'approval',
        session_id: 's-a',
        waiting_for: { kind: 'approval' },
      });

      expect(JSON.parse((await target.cli('list', '--json', '--since', '2999-01-01')).stdout)).toEqual({ runs: [], total: 0 });
      const bad = await target.cli('list', '--since', 'last week');
      expect(bad).toMatchObject({
        code: EXIT.usage,
        stderr: expect.stringContaining('error BAD_REQUEST: --since "last week" is neither an age nor an ISO date') as unknown,
      });
      expect((await target.cli('list', '--state', 'asleep')).code).toBe(EXIT.usage);
    });

    it('shows a run with its open approval, its waits and last events, and prints its events after a seq', async () => {
      const id = await waitingRun();
      const shown = await target.cli('show', id, '--events', '3');
      expect(shown.code).toBe(EXIT.ok);
      expect(shown.lines[0]).toBe(`run ${id}`);
      expect(shown.stdout).toMatch(/state\s+waiting at approval \(\d+%\)/);
      expect(shown.stdout).toMatch(/waiting for approval \S+ in approval/);
      expect(shown.stdout).toMatch(/waits:\n {2}\S+ {2}approval in approval, opened \S+: open/);
      expect(shown.stdout).toMatch(/last 3 of \d+ events:/);

      const all = (await target.cli('events', id, '--json')).lines.map((l) => JSON.parse(l) as EventView);
      expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
      expect(all[0]).toMatchObject({ type: 'run_created', run_id: id, workflow: 'editorial' });
      const tail = await target.cli('events', id, '--since', String(all.length - 2));
      expect(tail.lines).toHaveLength(2);
      expect(tail.lines[1]).toMatch(new RegExp(`^#\\s*${all.length} \\S+ approval_required\\s+\\S+ for approval$`));

      const missing = await target.cli('show', 'no-such-run');
      expect(missing.code).toBe(EXIT.notFound);
      expect(missing.stderr).toContain('error NOT_FOUND: run "no-such-run" does not exist');
    });

    it('approves the open approval and, with --wait, returns once the run completed', async () => {
      const id = await waitingRun();
      const approved = await target.cli('approve', id, '--comment', 'ship it', '--wait', '--timeout', '30');
      expect(approved.stderr).toBe('');
      expect(approved.lines).toEqual([expect.stringMatching(new RegExp(`^run ${id} \\(editorial\\) completed \\(100%\\)$`))]);
      const again = await target.cli('approve', id);
      expect(again.code).toBe(EXIT.conflict);
      expect(again.stderr).toMatch(NOT_WAITING);
      expect(again.stderr).toContain(`  - see where it stands: baton runs show ${id}`);
    });

    it('approves without --wait and leaves the run to the worker on the same database, which finishes it', async () => {
      const id = await waitingRun();
      const approved = await target.cli('approve', id, '--json');
      expect(approved.code).toBe(EXIT.ok);
      expect((JSON.parse(approved.stdout) as RunView).run_id).toBe(id);
      if (target.name !== 'server') expect(approved.stderr).toContain('the run goes on in a worker on this database');
      expect(await until(target.store, id, ['completed'])).toBe('completed');
    });

    it('rejects, and modifies with JSON data that the resolution keeps', async () => {
      const rejected = await waitingRun();
      const r = await target.cli('reject', rejected, '--comment', 'off topic', '--wait');
      expect(r.lines[0], r.stderr).toMatch(/\(editorial\) rejected/);
      const modified = await waitingRun();
      const badJson = await target.cli('modify', modified, '--data', '{title:');
      expect(badJson).toMatchObject({ code: EXIT.usage, stderr: expect.stringMatching(/^error BAD_REQUEST: --data is not JSON/) as unknown });
      expect((await target.cli('modify', modified)).code).toBe(EXIT.usage); // --data is required
      const before = await target.engine.status(modified);
      // A modification sends the draft round again: the run comes back with a new approval.
      const m = await target.cli('modify', modified, '--data', '{"title":"On keeping less"}', '--wait');
      expect(m.lines[0]).toMatch(/\(editorial\) waiting at approval .* for approval (\S+)$/);
      expect(m.lines[0]).not.toContain(before.waitingFor!.id);
      const events = (await target.cli('events', modified, '--json')).lines.map((l) => JSON.parse(l) as EventView & { resolution?: unknown });
      // The resolution names who decided: the operating-system user on the database, the token's admin through a server.
      const by =
        target.name === 'server'
          ? { id: 'api-token', name: 'BATON_API_TOKEN', token_id: 'env' }
          : { id: `os:${userInfo().username}`, name: userInfo().username, token_id: null };
      expect(events.find((e) => e.type === 'approval_resolved')?.resolution).toEqual({ action: 'modify', data: { title: 'On keeping less' }, by });
    });

    it('rolls a waiting run back to an earlier phase, cancels it, and refuses what does not apply with the exit code of a conflict', async () => {
      const id = await waitingRun();
      const wrongApproval = await target.cli('approve', id, '--approval', 'another');
      expect(wrongApproval.code).toBe(EXIT.conflict);
      const back = await target.cli('rollback', id, '--to', 'draft', '--reason', 'start over', '--wait');
      expect(back.lines[0]).toMatch(new RegExp(`^run ${id} \\(editorial\\) waiting at approval .* for approval `));
      const nowhere = await target.cli('rollback', id, '--to', 'publish');
      expect(nowhere.code).toBe(EXIT.conflict);
      expect(nowhere.stderr).toMatch(
        /^error INVALID_TRANSITION: rollback from "approval" to "publish" is not allowed\n {2}- allowed from "approval": draft, review\n$/,
      );
      const retryWaiting = await target.cli('retry', id);
      expect(retryWaiting.code).toBe(EXIT.conflict);
      expect(retryWaiting.stderr).toContain('only failed runs can be retried');
      const cancelled = await target.cli('cancel', id, '--reason', 'no longer needed');
      expect(cancelled.lines[0]).toMatch(/\(editorial\) cancelled/);
      expect((await target.cli('cancel', id)).code).toBe(EXIT.conflict);
    });

    it('retries a failed run from the step that failed', async () => {
      // Season planning on a database without sales history fails at its first phase.
      const failed = await target.engine.startRun('season-planning', season(4));
      expect(await until(target.store, failed.id, ['failed'])).toBe('failed');
      const retried = await target.cli('retry', failed.id, '--wait');
      expect(retried.code).toBe(EXIT.ok);
      expect(retried.lines[0]).toMatch(/\(season-planning\) failed at demand .*: DATA_NOT_FOUND/);
      const events = (await target.cli('events', failed.id, '--json')).lines.map((l) => JSON.parse(l) as EventView & { to?: string; reason?: string });
      expect(events.filter((e) => e.type === 'run_state').map((e) => `${String(e.to)}${e.reason === 'retry' ? ' (retry)' : ''}`)).toEqual([
        'failed',
        'running (retry)',
        'failed',
      ]);
    });

    it('posts a week of actuals from a CSV and refuses a malformed file with its line', async () => {
      await loadSmallChain(target.store);
      const run = await target.engine.startRun('season-planning', season(4, { actuals: 'manual' }));
      await until(target.store, run.id, ['waiting']);
      expect((await target.cli('approve', run.id, '--wait')).lines[0]).toMatch(/waiting at week_actuals .* for actuals/);
      const csv = join(dir, `week1-${run.id}.csv`);
      const stores = await seasonData(target.store).listStores();
      const categories = await seasonData(target.store).listCategories();
      const rows = stores.flatMap((s) => categories.map((c) => `${s.storeId},${c.categoryId},10`));
      writeFileSync(csv, ['store_id,category_id,units_sold', rows[0]!, `${rows[1]!.replace(/,10$/, ',ten')}`].join('\n'));
      const bad = await target.cli('post-actuals', run.id, '--week', '1', '--file', csv);
      expect(bad).toMatchObject({
        code: EXIT.usage,
        stderr: `error INVALID_PARAMETERS: ${csv}, line 3: units_sold "ten" is not a number\n  - the file needs the columns store_id,category_id,units_sold (or an export's Store, Dept and Weekly_Sales or sales_value) with the week's figure on every row\n`,
      });
      writeFileSync(csv, ['store_id,category_id,units_sold', ...rows].join('\n'));
      const early = await target.cli('post-actuals', run.id, '--week', '2', '--file', csv);
      expect(early).toMatchObject({ code: EXIT.conflict, stderr: expect.stringContaining('waits for the actuals of week 1, not week 2') as unknown });
      const posted = await target.cli('post-actuals', run.id, '--week', '1', '--file', csv, '--wait', '--timeout', '60');
      expect(posted.lines[0]).toMatch(/\(season-planning\) waiting at week_actuals .* for actuals/);
      expect((await target.engine.status(run.id)).waitingFor?.data).toMatchObject({ week: 2 });
      expect(await seasonData(target.store).listActuals(run.id)).toHaveLength(rows.length);
      const shown = await target.cli('show', run.id);
      expect(shown.stdout).toMatch(/plan:\n {2}forecast: [\d,]+ units over 4 weeks/);
      expect(shown.stdout).toMatch(/ {2}buy: [\d,]+ units/);
      expect(shown.stdout).toMatch(/ {2}allocation: [\d,]+ units to 8 stores/);
    });

    it('posts a week without every store as --partial, the stores that reported late with the next week as --late, from semicolon files too, and a wrong figure as --corrections', async () => {
      await loadSmallChain(target.store);
      const run = await target.engine.startRun('season-planning', season(4, { actuals: 'manual' }));
      await until(target.store, run.id, ['waiting']);
      await target.cli('approve', run.id, '--wait');
      const stores = await seasonData(target.store).listStores();
      const categories = await seasonData(target.store).listCategories();
      const rows = stores.flatMap((s) => categories.map((c) => `${s.storeId},${c.categoryId},10`));
      const week1 = join(dir, `partial-${run.id}.csv`);
      writeFileSync(week1, ['store_id,category_id,units_sold', ...rows.slice(1)].join('\n'));
      const refused = await target.cli('post-actuals', run.id, '--week', '1', '--file', week1);
      expect(refused).toMatchObject({ code: EXIT.usage, stderr: expect.stringContaining('baton runs post-actuals --partial') as unknown });
      const partial = await target.cli('post-actuals', run.id, '--week', '1', '--file', week1, '--partial', '--wait', '--timeout', '60');
      expect(partial.lines[0]).toMatch(/waiting at week_actuals .* for actuals/);
      // Week 2 and the late row from a spreadsheet saved with semicolons and decimal commas.
      const semicolons = (row: string, units: string) => `${row.replace(/,10$/, '').replace(',', ';')};${units}`;
      const week2 = join(dir, `week2-${run.id}.csv`);
      writeFileSync(week2, ['store_id;category_id;units_sold', ...rows.map((r) => semicolons(r, '10,5'))].join('\n'));
      const late = join(dir, `late-${run.id}.csv`);
      writeFileSync(late, ['week;store_id;category_id;units_sold', `one;${semicolons(rows[0]!, '3')}`].join('\n'));
      const commas = await target.cli('post-actuals', run.id, '--week', '2', '--file', week2);
      expect(commas).toMatchObject({ code: EXIT.usage, stderr: expect.stringContaining('the file seems separated by semicolons, not commas') as unknown });
      const badLate = await target.cli('post-actuals', run.id, '--week', '2', '--file', week2, '--late', late, '--delimiter', ';');
      expect(badLate).toMatchObject({
        code: EXIT.usage,
        stderr: expect.stringContaining(`${late}, line 2: week "one" is not a season week (1, 2, …)`) as unknown,
      });
      writeFileSync(late, ['week;store_id;category_id;units_sold', `1;${semicolons(rows[0]!, '3')}`].join('\n'));
      await target.cli('post-actuals', run.id, '--week', '2', '--file', week2, '--late', late, '--delimiter', ';', '--wait', '--timeout', '60');
      const actuals = await seasonData(target.store).listActuals(run.id);
      expect(actuals.filter((a) => a.seasonWeek === 1)).toHaveLength(rows.length);
      expect(actuals.filter((a) => a.seasonWeek === 1 && a.unitsSold === 3)).toHaveLength(1);
      expect(actuals.filter((a) => a.seasonWeek === 2).map((a) => a.unitsSold)).toEqual(rows.map(() => 10.5));
      // Week 3, with week 1's figure of the second series corrected (10 was typed for 12).
      const week3 = join(dir, `week3-${run.id}.csv`);
      writeFileSync(week3, ['store_id,category_id,units_sold', ...rows].join('\n'));
      const corrections = join(dir, `corrections-${run.id}.csv`);
      writeFileSync(corrections, ['week,store_id,category_id,units_sold', `1,${rows[1]!.replace(/,10$/, ',12')}`].join('\n'));
      await target.cli('post-actuals', run.id, '--week', '3', '--file', week3, '--corrections', corrections, '--wait', '--timeout', '60');
      const [storeId, categoryId] = rows[1]!.split(',');
      const corrected = (await seasonData(target.store).listActuals(run.id)).filter((a) => a.storeId === storeId && a.categoryId === categoryId);
      expect(corrected.map((a) => [a.seasonWeek, a.unitsSold])).toEqual([
        [1, 12],
        [2, 10.5],
        [3, 10],
      ]);
    });

    it('prunes finished runs older than an age on the database, printing the count and the space freed, and refuses through a server', async () => {
      await target.engine.cancelRun(await waitingRun());
      await new Promise((resolve) => setTimeout(resolve, 1100));
      if (target.name === 'server') {
        const refused = await runCli(['prune', '--older-than', '1s', '--url', target.base!]);
        expect(refused).toMatchObject({
          code: EXIT.usage,
          stderr: expect.stringContaining('error BAD_REQUEST: prune works on the database, not through a server') as unknown,
        });
        return;
      }
      const cancelled = (await target.engine.listRuns({ state: 'cancelled' })).runs.map((r) => r.id);
      expect(cancelled.length).toBeGreaterThan(0);
      const dry = await target.cli('prune', '--older-than', '1s', '--state', 'cancelled', '--dry-run');
      expect(dry.lines[0]).toMatch(new RegExp(`^would delete ${cancelled.length} runs? \\(cancelled\\) finished before \\S+Z$`));
      expect(dry.lines[1]).toMatch(/^rows: events \d+, steps \d+, attempts \d+, waits \d+, plans \d+, actual_sales \d+, build_outbox \d+$/);
      const pruned = JSON.parse((await target.cli('prune', '--older-than', '1s', '--state', 'cancelled', '--json')).stdout) as {
        runIds: string[];
        freedBytes: number | null;
      };
      expect(pruned.runIds.sort()).toEqual([...cancelled].sort());
      expect(pruned.freedBytes).not.toBeNull();
      expect((await target.cli('show', cancelled[0]!)).code).toBe(EXIT.notFound);
      expect((await target.cli('prune', '--older-than', '1s', '--state', 'waiting')).code).toBe(EXIT.usage);
    });

    it('watches a run from its first event until it ends, each event once and in order', async () => {
      const id = await waitingRun();
      const watching = target.cli('watch', id, '--json');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const status = await target.engine.status(id);
      await target.engine.resolveWait(id, status.waitingFor!.id, { action: 'accept' });
      const watched = await watching;
      expect(watched.code).toBe(EXIT.ok);
      const events = watched.lines.map((l) => JSON.parse(l) as EventView);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.at(-1)).toMatchObject({ type: 'workflow_complete', state: 'completed' });
      const text = await target.cli('watch', id, '--since', String(events.length - 2));
      expect(text.lines[0]).toMatch(
        new RegExp(`^watching run ${id} \\(editorial\\) completed \\(100%\\) on (database|server) .*, from seq ${events.length - 2}$`),
      );
      expect(text.lines.slice(1, -1).map((l) => l.split(' ')[0])).toEqual([
        `#${String(events.length - 1).padStart(3)}`.split(' ')[0],
        `#${String(events.length).padStart(3)}`.split(' ')[0],
      ]);
    });
  });
}
