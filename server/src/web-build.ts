import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export function webBuildDir(root: string): string {
  return path.join(root, 'web', 'build');
}

/** Builds the web app when it is missing or older than its sources. */
export function ensureWebBuild(root: string, say: (line: string) => void): void {
  const webDir = path.join(root, 'web');
  const built = path.join(webBuildDir(root), 'index.html');
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
  const sources = [
    path.join(webDir, 'src'),
    path.join(webDir, 'static'),
    path.join(webDir, 'scripts'),
    path.join(root, 'package.json'),
    path.join(webDir, 'svelte.config.js'),
    path.join(webDir, 'vite.config.ts'),
    path.join(root, 'server', 'src', 'contract'),
    // The web app imports the campaigns' default calling hours and the tags rule (callTags) from here.
    path.join(root, 'server', 'src', 'modules', 'campaigns', 'outcomes.ts'),
  ];
  if (builtAt > 0 && newestMtime(sources) <= builtAt) return;
  say(builtAt === 0 ? 'Building the web app (first start)…' : 'The web app has changed; rebuilding…');
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error('Building the web app failed; see the output above.');
}

function newestMtime(paths: string[]): number {
  let newest = 0;
  for (const entry of paths) {
    if (!existsSync(entry)) continue;
    const stat = statSync(entry);
    newest = stat.isDirectory()
      ? Math.max(newest, newestMtime(readdirSync(entry).map((name) => path.join(entry, name))))
      : Math.max(newest, stat.mtimeMs);
  }
  return newest;
}
