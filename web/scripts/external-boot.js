// Wraps an adapter so that after it has written the site, every HTML page's inline boot script
// (kit always inlines one) becomes a file beside the app. The pages then need no inline script
// and run under `Content-Security-Policy: script-src 'self'`.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const INLINE_SCRIPT = /<script>([\s\S]*?)<\/script>/g;

/**
 * @param {import('@sveltejs/kit').Adapter} adapter
 * @param {{ dir?: string }} [options] the adapter's output directory (default: build)
 * @returns {import('@sveltejs/kit').Adapter}
 */
export function externalBoot(adapter, { dir = 'build' } = {}) {
  return {
    ...adapter,
    name: `${adapter.name}+external-boot`,
    async adapt(builder) {
      await adapter.adapt(builder);
      const appDir = builder.config.kit.appDir;
      for (const file of htmlFiles(dir)) {
        const html = readFileSync(file, 'utf8');
        const rewritten = html.replace(INLINE_SCRIPT, (_, /** @type {string} */ code) => {
          assertSameGlobal(code, path.join(dir, appDir, 'immutable'));
          const name = `boot.${createHash('sha256').update(code).digest('hex').slice(0, 12)}.js`;
          writeFileSync(path.join(dir, appDir, 'immutable', name), code.trim() + '\n');
          // A classic (not module) script, so `document.currentScript` still finds the mount point.
          return `<script src="/${appDir}/immutable/${name}"></script>`;
        });
        if (/<script>/.test(rewritten)) throw new Error(`${file} still has an inline script`);
        writeFileSync(file, rewritten);
        builder.log.minor(`external-boot: ${path.relative(dir, file)} has no inline script`);
      }
    },
  };
}

/**
 * The boot script hands over to the app through a global named after the build's version. If the
 * fallback page and the app were built with different names, the page would stay blank.
 * @param {string} code
 * @param {string} immutableDir
 */
function assertSameGlobal(code, immutableDir) {
  const name = /__sveltekit_[a-z0-9]+/.exec(code)?.[0];
  if (!name) return;
  const used = readdirSync(immutableDir, { withFileTypes: true, recursive: true }).some(
    (entry) => entry.isFile() && entry.name.endsWith('.js') && readFileSync(path.join(entry.parentPath, entry.name), 'utf8').includes(name),
  );
  if (!used) throw new Error(`The boot script sets ${name}, which no app chunk reads: the build is inconsistent.`);
}

/** @param {string} dir @returns {string[]} */
function htmlFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.html'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}
