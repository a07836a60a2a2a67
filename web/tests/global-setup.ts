// Browser tests run against the built web app: build it once when missing or stale.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWebBuild } from '../../server/src/web-build';

export default function setup(): void {
  ensureWebBuild(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'), (line) => process.stdout.write(`${line}\n`));
}
