// The library's declarations (`npm run build:lib`, after tsc) name the files they import: tsc copies the
// sources' extensionless specifiers (`from './engine/engine'`), which `moduleResolution: node16/nodenext`
// cannot resolve, so each relative specifier is rewritten to the declaration file that exists
// (`./engine/engine.js`, `./bank/index.js`). A specifier that resolves to nothing, leaves the folder, or a
// triple-slash reference (a type the build saw but the package does not ship) fails the build.
// tsconfig.lib.json emits no declaration maps: they would point into src/, which the package does not ship.
// The tensors the types name come from @tensorflow/tfjs-core, the package whose types the umbrella
// @tensorflow/tfjs re-exports: naming the umbrella would make a consumer's compiler read tfjs-layers'
// declarations too, which fail under `strict` (tfjs is compiled without strictNullChecks).
//
// Usage: tsx tools/declaration-specifiers.ts <declarations folder>

import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** A relative specifier in a declaration file: the literal's text span and the name inside it. */
interface Specifier {
  start: number;
  end: number;
  text: string;
}

/** Every module name a declaration file uses: import/export … from, import("…") types, declare module, import = require. */
function specifiersOf(file: ts.SourceFile): Specifier[] {
  const found: Specifier[] = [];
  const add = (literal: ts.Node | undefined) => {
    if (literal && ts.isStringLiteral(literal))
      found.push({ start: literal.getStart(file), end: literal.getEnd(), text: literal.text });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    else if (ts.isModuleDeclaration(node)) add(node.name);
    else if (ts.isExternalModuleReference(node)) add(node.expression);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      add(node.arguments[0]);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The specifier that names an existing declaration under `root`, or why there is none. */
function resolveSpecifier(fromDir: string, spec: string, root: string): { to: string } | { problem: string } {
  const stem = spec.replace(/\/$/, '').replace(/\.(?:d\.ts|ts|js)$/, '');
  const base = resolve(fromDir, stem);
  if (relative(root, base).startsWith(`..${sep}`)) return { problem: 'points outside the package’s types' };
  if (existsSync(`${base}.d.ts`)) return { to: `${stem}.js` };
  if (existsSync(join(base, 'index.d.ts'))) return { to: `${stem}/index.js` };
  return {
    problem: `neither ${relative(root, `${base}.d.ts`)} nor ${relative(root, join(base, 'index.d.ts'))} exists`,
  };
}

function declarationFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return declarationFiles(path);
    return name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * Rewrites the relative specifiers of every .d.ts under `root` in place; returns how many files changed.
 * When any does not resolve or a file holds a triple-slash reference, throws naming each file and
 * specifier, and writes nothing.
 */
export function rewriteDeclarationSpecifiers(root: string): number {
  const problems: string[] = [];
  const rewritten = new Map<string, string>();
  for (const path of declarationFiles(root)) {
    const text = readFileSync(path, 'utf8');
    const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const name = relative(root, path);
    for (const ref of [
      ...file.referencedFiles,
      ...file.typeReferenceDirectives,
      ...file.libReferenceDirectives,
    ])
      problems.push(`${name}: /// <reference … "${ref.fileName}" />`);
    let out = text;
    // From the end, so earlier offsets stay valid.
    for (const s of specifiersOf(file).reverse()) {
      const found =
        s.text === '@tensorflow/tfjs'
          ? { to: '@tensorflow/tfjs-core' }
          : s.text.startsWith('./') || s.text.startsWith('../')
            ? resolveSpecifier(dirname(path), s.text, root)
            : undefined;
      if (!found) continue;
      if ('problem' in found) problems.push(`${name}: '${s.text}' ${found.problem}`);
      else if (found.to !== s.text) {
        const quote = out[s.start];
        out = `${out.slice(0, s.start)}${quote}${found.to}${quote}${out.slice(s.end)}`;
      }
    }
    if (out !== text) rewritten.set(path, out);
  }
  if (problems.length > 0)
    throw new Error(`Declarations that would not type-check where installed:\n  ${problems.join('\n  ')}`);
  for (const [path, text] of rewritten) writeFileSync(path, text);
  return rewritten.size;
}

if (process.argv[1] === import.meta.filename) {
  const root = process.argv[2];
  if (!root) throw new Error('Usage: tsx tools/declaration-specifiers.ts <declarations folder>');
  const changed = rewriteDeclarationSpecifiers(resolve(root));
  console.info(`declaration specifiers: ${changed} files rewritten in ${root}`);
}
