// No file of the server or the database imports itself back through others (type-only imports
// count too: a cycle of types is a cycle of meaning). A socket file of a module importing the plugin
// that calls it was one; each found here is named with its path.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(full).isDirectory()) return typeScriptFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The files a file imports or re-exports from by a relative path (`import`, `import type`, `export … from`). */
function relativeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found: string[] = [];
  for (const statement of source.statements) {
    const specifier = ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) ? statement.moduleSpecifier : undefined;
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
    const target = path.resolve(path.dirname(file), specifier.text);
    const candidates = [target, target.replace(/\.js$/, '.ts'), `${target}.ts`, path.join(target, 'index.ts')];
    const resolved = candidates.find((candidate) => candidate.endsWith('.ts') && statSync(candidate, { throwIfNoEntry: false })?.isFile());
    if (resolved) found.push(resolved);
  }
  return found;
}

/** One cycle through each strongly connected group of the graph (Tarjan), as `a -> b -> a`, from the group's first name. */
function importCycles(edges: Map<string, string[]>): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const groups: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file) ?? 0);
    stack.push(file);
    for (const target of edges.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(target) ?? 0));
      } else if (stack.includes(target)) {
        low.set(file, Math.min(low.get(file) ?? 0, index.get(target) ?? 0));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const group: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      group.push(member);
      if (member === file) break;
    }
    if (group.length > 1 || (edges.get(file) ?? []).includes(file)) groups.push(group);
  };
  for (const file of edges.keys()) if (!index.has(file)) visit(file);
  // The shortest way from the group's first file back to itself, breadth first.
  return groups
    .map((group) => {
      const start = [...group].sort()[0] ?? '';
      const members = new Set(group);
      const cameFrom = new Map<string, string>();
      const queue = [start];
      let end = start;
      search: while (queue.length > 0) {
        const file = queue.shift() ?? '';
        for (const target of edges.get(file) ?? []) {
          if (!members.has(target)) continue;
          if (target === start) {
            end = file;
            break search;
          }
          if (cameFrom.has(target)) continue;
          cameFrom.set(target, file);
          queue.push(target);
        }
      }
      const cycle: string[] = [];
      for (let file = end; file !== start; file = cameFrom.get(file) ?? start) cycle.unshift(file);
      return [start, ...cycle, start].join(' -> ');
    })
    .sort();
}

describe('imports', () => {
  it('have no cycles in server/src and db', () => {
    const files = [...typeScriptFiles(path.join(root, 'server/src')), ...typeScriptFiles(path.join(root, 'db'))];
    const name = (file: string) => path.relative(root, file);
    const edges = new Map(files.map((file) => [name(file), relativeImports(file).filter((target) => files.includes(target)).map(name)]));
    expect(files.length).toBeGreaterThan(100);
    expect([...edges.values()].flat().length).toBeGreaterThan(500);
    expect(importCycles(edges)).toEqual([]);
  });

  it('are read whether they import values or types, or export from', () => {
    const edges = relativeImports(path.join(root, 'server/src/contract/api.ts')).map((file) => path.relative(root, file));
    // api.ts has only `import type * as … from`.
    expect(edges).toContain('server/src/modules/calling/calling.schemas.ts');
    expect(edges).toContain('server/src/schemas.ts');
  });

  it('name every cycle, and only cycles', () => {
    const edges = new Map([
      ['a', ['b', 'e']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', ['d']],
      ['e', []],
      ['f', ['a']],
    ]);
    expect(importCycles(edges)).toEqual(['a -> b -> c -> a', 'd -> d']);
    expect(importCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });
});
