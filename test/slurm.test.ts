// `sqrtk sweep slurm` on a real Slurm cluster: the single-node one of scripts/slurm-local.sh.
// In CI (.ci/run starts the cluster and sets SQRTK_SLURM=required; CI=true counts too) it must
// pass; elsewhere it runs where `sinfo` shows a node, and says why when it does not.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const required = process.env.SQRTK_SLURM === 'required' || Boolean(process.env.CI);
const sinfo = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', timeout: 20_000 });
const up = sinfo.status === 0 && /idle|mixed|allocated/.test(sinfo.stdout);
const why = sinfo.error
  ? `sinfo is not installed (${sinfo.error.message})`
  : `sinfo shows no usable node (${(sinfo.stdout + sinfo.stderr).trim() || `exit ${sinfo.status}`})`;
if (!up && !required)
  console.warn(`slurm.test.ts: skipped: ${why}; start one with: sudo bash scripts/slurm-local.sh`);

const cli = (...args: string[]) =>
  spawnSync('node', ['dist/cli.js', ...args], { encoding: 'utf8' });

describe('sqrtk sweep on Slurm', () => {
  it('needs a Slurm cluster in CI', () => {
    // Never skipped where it is required: a cluster that cannot start fails here with the reason.
    if (required) expect(up, `Slurm is required here but ${why}`).toBe(true);
  });

  it.runIf(up)(
    'runs the job array of a sweep; its report equals the local run bit for bit',
    () => {
      // Under the repository, not /tmp: a cluster's nodes see the sweep on a shared file system.
      mkdirSync(join(process.cwd(), 'runs'), { recursive: true });
      // A space in the path, as users' paths have: the script must quote it for Slurm.
      const root = mkdtempSync(join(process.cwd(), 'runs', 'slurm test-'));
      const manifest = {
        base: { task: 'digits', neurons: 80, k: 8, epochs: 1, rewireEvery: 10 },
        grid: { growth: ['random', 'sampled'] },
        seeds: [1, 2],
        baseline: { growth: 'random' },
      };
      writeFileSync(join(root, 'm.json'), JSON.stringify(manifest));
      const [local, slurm] = [join(root, 'local'), join(root, 'slurm')];
      for (const dir of [local, slurm])
        expect(cli('sweep', 'plan', join(root, 'm.json'), '--out', dir).status).toBe(0);
      const run = cli('sweep', 'run', local, '--jobs', '2');
      expect(run.status, run.stderr).toBe(0);

      const written = cli('sweep', 'slurm', slurm, '--max-parallel', '2', '--time', '0:10:00');
      expect(written.status, written.stderr).toBe(0);
      // --wait: sbatch returns when every task has ended, with the highest exit code.
      const submitted = spawnSync('sbatch', ['--wait', join(slurm, 'sweep.sbatch')], {
        encoding: 'utf8',
        timeout: 600_000,
      });
      const logs = () =>
        spawnSync('sh', ['-c', 'cat "$0"/logs/slurm-*.out', slurm], { encoding: 'utf8' }).stdout;
      expect(submitted.status, `${submitted.stderr}\n${logs()}`).toBe(0);
      expect(submitted.stdout).toMatch(/Submitted batch job \d+/);
      expect(logs()).toMatch(/sweep: 1 done, 0 running, 0 failed, 0 left/);

      for (const dir of [local, slurm]) expect(cli('sweep', 'report', dir).status).toBe(0);
      for (const file of ['report.json', 'report.md', 'report.csv', 'report.html'])
        expect(readFileSync(join(slurm, file), 'utf8'), file).toBe(
          readFileSync(join(local, file), 'utf8'),
        );
      const status = cli('sweep', 'status', slurm).stdout;
      expect(status).toContain('sweep: 4 done, 0 running, 0 failed, 0 left');
      rmSync(root, { recursive: true }); // kept for a look when the test fails
    },
    660_000,
  );
});
