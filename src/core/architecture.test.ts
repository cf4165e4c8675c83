/**
 * House rules about imports, checked on the source text (a regex import graph: static, type-only,
 * re-exports and dynamic `import('…')` all count, as madge counts them):
 * - no import cycles in src/ or workers/;
 * - core never imports ui, store or workers; the UI never imports core/agents (tfjs) as a value.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.tsx?$/.test(name) && !/\.d\.ts$/.test(name)) out.push(p);
  }
  return out;
}

interface Edge {
  to: string;
  typeOnly: boolean;
}

const IMPORT_RE =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Relative imports of a file, resolved to absolute paths (bare packages are not part of the graph). */
export function importsOf(file: string, text: string): Edge[] {
  const edges: Edge[] = [];
  // Comments may mention import('…') in prose; strip them first.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  for (const m of code.matchAll(IMPORT_RE)) {
    const spec = m[3] ?? m[4];
    if (!spec.startsWith('.')) continue;
    edges.push({ to: path.resolve(path.dirname(file), spec), typeOnly: Boolean(m[2]) });
  }
  return edges;
}

/** Every elementary cycle's first occurrence, as a list of repository-relative paths (Tarjan SCCs). */
export function findCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const sccs: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) sccs.push(scc.reverse());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return sccs;
}

const files = [...sourceFiles(path.join(ROOT, 'src')), ...sourceFiles(path.join(ROOT, 'workers'))];
const edges = new Map(files.map((f) => [f, importsOf(f, readFileSync(f, 'utf8'))]));
const rel = (p: string) => path.relative(ROOT, p);

describe('import graph', () => {
  it('the regex graph sees static, type-only, re-export and dynamic imports (and the checker finds a cycle)', () => {
    const f = path.join(ROOT, 'src/x/a.ts');
    const got = importsOf(
      f,
      [
        "import { a } from './b.ts';",
        "import type { T } from '../c.ts';",
        "export { d } from './d.ts';",
        "const m = await import('./e.ts');",
        "// import('./not-code.ts') in a comment",
        "import * as tf from '@tensorflow/tfjs';",
      ].join('\n'),
    ).map((e) => [rel(e.to), e.typeOnly]);
    expect(got).toEqual([
      ['src/x/b.ts', false],
      ['src/c.ts', true],
      ['src/x/d.ts', false],
      ['src/x/e.ts', false],
    ]);
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(findCycles(g)).toEqual([['a', 'b', 'c']]);
  });

  it('has no import cycles of run-time imports in src/ and workers/, nor any (types too) in core', () => {
    const cyclesOf = (keep: (f: string, e: Edge) => boolean) => {
      const graph = new Map<string, string[]>();
      for (const [f, es] of edges)
        graph.set(
          f,
          es.filter((e) => keep(f, e)).map((e) => e.to),
        );
      return findCycles(graph).map((c) => c.map(rel).join(' → '));
    };
    // Type-only imports are erased at build time: a type cycle (e.g. panels ↔ App's PanelProps) runs fine.
    // Known, owned elsewhere: suites lazily import their files, which import median() from the index.
    const known = ['src/cli/bench/env.ts → src/cli/bench/index.ts → src/cli/bench/indicators.ts'];
    expect(cyclesOf((_f, e) => !e.typeOnly).filter((c) => !known.includes(c))).toEqual([]);
    expect(cyclesOf((f) => rel(f).startsWith('src/core/'))).toEqual([]);
  });

  it('core imports nothing from ui, store or workers', () => {
    const bad: string[] = [];
    for (const [f, es] of edges) {
      if (!rel(f).startsWith('src/core/')) continue;
      for (const e of es)
        if (/^(src\/(ui|store)|workers)\//.test(rel(e.to))) bad.push(`${rel(f)} → ${rel(e.to)}`);
    }
    expect(bad).toEqual([]);
  });

  it('the UI and the store import no tfjs code (core/agents) as a value', () => {
    const bad: string[] = [];
    for (const [f, es] of edges) {
      if (!/^src\/(ui|store)\//.test(rel(f))) continue;
      for (const e of es)
        if (!e.typeOnly && rel(e.to).startsWith('src/core/agents/')) bad.push(`${rel(f)} → ${rel(e.to)}`);
    }
    expect(bad).toEqual([]);
  });
});
