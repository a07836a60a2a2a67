// `npm test`: everything that proves Ringa works, in one command. Typecheck (server and web), lint,
// the schema drift check, then unit, integration (real PostgreSQL) and browser (real Chromium) tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);
const reportFile = path.join(root, 'test-output', 'vitest.json');
const extra = process.argv.slice(2);

interface Step {
  name: string;
  command: string;
  args: string[];
  cwd?: string;
}

const steps: Step[] = [
  { name: 'svelte-kit sync', command: bin('svelte-kit'), args: ['sync'], cwd: path.join(root, 'web') },
  { name: 'typecheck server', command: bin('tsc'), args: ['--noEmit', '-p', 'tsconfig.json'] },
  { name: 'typecheck web', command: bin('svelte-check'), args: ['--tsconfig', 'web/tsconfig.json', '--fail-on-warnings', '--output', 'human'] },
  { name: 'lint', command: bin('eslint'), args: ['.'] },
  { name: 'db/schema.ts matches the migrations', command: bin('tsx'), args: ['scripts/codegen.ts', '--verify'] },
  {
    name: 'tests',
    command: bin('vitest'),
    args: ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`, ...extra],
  },
];

mkdirSync(path.dirname(reportFile), { recursive: true });
rmSync(reportFile, { force: true }); // a stale report must not speak for this run
const failed: string[] = [];
for (const step of steps) {
  const started = Date.now();
  process.stdout.write(`\n▶ ${step.name}\n`);
  const result = spawnSync(step.command, step.args, { cwd: step.cwd ?? root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status === 0) {
    process.stdout.write(`✔ ${step.name} (${seconds} s)\n`);
  } else {
    process.stdout.write(`✘ ${step.name} failed (${seconds} s)\n`);
    failed.push(step.name);
  }
}

let summary = 'tests: 0 passed, 0 failed';
if (existsSync(reportFile)) {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numFailedTestSuites: number;
  };
  summary = `tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped`;
  // The report decides, not only the exit code: a library's exit hook once turned a red run into exit 0.
  if ((report.numFailedTests > 0 || report.numFailedTestSuites > 0) && !failed.includes('tests')) failed.push('tests');
}
process.stdout.write(`\n${failed.length === 0 ? 'All checks passed.' : `Failed: ${failed.join('; ')}`}\n${summary}\n`);
process.exit(failed.length === 0 ? 0 : 1);
