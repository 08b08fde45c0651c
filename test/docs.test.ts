// The documentation stays navigable and true to the tree: every relative link in README.md and
// docs/*.md points to a file that exists and, with a #fragment, to a heading (GitHub's anchor)
// or an explicit <a id> there; and the README's Layout block names only paths that exist and
// every file and folder of src/ and assembly/.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The text without fenced code blocks (their `#` lines are not headings, their brackets not links). */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** GitHub's anchor for a heading: markup dropped, lower case, punctuation removed, spaces → '-'. */
function slug(heading: string): string {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1') // a link keeps its text
    .replace(/[`*]/g, '');
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a Markdown file defines: its headings (duplicates numbered as GitHub does) and <a id>s. */
function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  for (const m of prose(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    found.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of markdown.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) found.add(m[1]!);
  return found;
}

/** The relative links of a Markdown file: [text](target), outside code. */
function relativeLinks(markdown: string): string[] {
  const text = prose(markdown).replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('/'));
}

describe('documentation links', () => {
  it('the docs exist and are indexed by docs/README.md', () => {
    const index = readFileSync(join(ROOT, 'docs', 'README.md'), 'utf8');
    for (const file of DOCS.filter((f) => f.startsWith('docs/') && f !== 'docs/README.md')) {
      expect(index, `docs/README.md lists ${file}`).toContain(`](${file.slice('docs/'.length)})`);
    }
  });

  it.each(DOCS)('every relative link in %s resolves to a file and anchor', (file) => {
    const markdown = readFileSync(join(ROOT, file), 'utf8');
    const broken: string[] = [];
    const links = relativeLinks(markdown);
    for (const link of links) {
      const [path, fragment] = link.split('#', 2) as [string, string | undefined];
      const target = path === '' ? join(ROOT, file) : resolve(dirname(join(ROOT, file)), decodeURI(path));
      if (!existsSync(target)) {
        broken.push(`${link}: no such file ${relative(ROOT, target)}`);
        continue;
      }
      if (fragment === undefined) continue;
      if (!target.endsWith('.md')) {
        broken.push(`${link}: a #fragment on a file that is not Markdown`);
        continue;
      }
      if (!anchors(readFileSync(target, 'utf8')).has(fragment)) broken.push(`${link}: no heading or <a id> '${fragment}' in ${relative(ROOT, target)}`);
    }
    expect(broken).toEqual([]);
  });

  it('the link checker itself finds headings, numbered duplicates, explicit anchors and broken links', () => {
    const md =
      '# A `code` title (x/y)\n## Threads\n### Threads\n<a id="ba-one-step"></a>\n```sh\n# not a heading\n[no](missing.md)\n```\n[yes](other.md#threads-1)\n';
    expect([...anchors(md)]).toEqual(['a-code-title-xy', 'threads', 'threads-1', 'ba-one-step']);
    expect(relativeLinks(md)).toEqual(['other.md#threads-1']);
    expect(relativeLinks('[web](https://example.org) [mail](mailto:a@b) `[x](y.md)` [z](docs/z.md)')).toEqual(['docs/z.md']);
  });
});

/** The README's Layout block: one entry per line, indented two spaces per folder level. */
function layoutBlock(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = /^## Layout\n[\s\S]*?^```\n([\s\S]*?)^```$/m.exec(readme);
  if (!m) throw new Error('README.md has no "## Layout" section with a code block');
  return m[1]!;
}

/** Every path relative to ROOT under `dir`, folders with a trailing '/'. */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = `${dir}/${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(`${path}/`, ...walk(path));
    else out.push(path);
  }
  return out;
}

describe("the README's Layout section", () => {
  it('names only paths that exist', () => {
    const stack: string[] = []; // the folder at each depth
    const missing: string[] = [];
    for (const line of layoutBlock().split('\n')) {
      const m = /^( *)(\S+)/.exec(line);
      if (!m || m[1]!.length >= 10) continue; // blank, or the continuation of a description
      const depth = m[1]!.length / 2;
      const path = [...stack.slice(0, depth), m[2]!].join('');
      if (!existsSync(join(ROOT, path))) missing.push(path);
      if (m[2]!.endsWith('/')) stack[depth] = m[2]!;
      stack.length = depth + (m[2]!.endsWith('/') ? 1 : 0);
    }
    expect(missing).toEqual([]);
  });

  it('mentions every file and folder of src/ and assembly/', () => {
    const block = layoutBlock();
    const words = new Set(block.split(/[\s,;:()]+/).filter(Boolean));
    const unnamed = [...walk('src'), ...walk('assembly')].filter((path) => {
      const name = path.endsWith('/') ? `${path.slice(0, -1).split('/').pop()}/` : path.split('/').pop()!;
      return !words.has(name);
    });
    expect(unnamed).toEqual([]);
  });
});
