import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { migrations } from './migrations';

test('every migration file is registered, in date order, under its own name', () => {
  const folder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
  const files = readdirSync(folder)
    .filter((file) => file.endsWith('.ts') && file !== 'index.ts')
    .map((file) => file.replace(/\.ts$/, ''))
    .sort();
  expect(Object.keys(migrations).sort()).toEqual(files);
  for (const name of files) expect(name).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}_[a-z0-9-]+$/);
});
