// Module hooks that let a child `node` process run this repo's TypeScript sources in tests
// (Node 20 cannot strip types): `.js` specifiers fall back to the `.ts` file next to them, and
// `.ts` files are transpiled with the workspace's TypeScript. Test-only; never shipped.
import { readFile } from 'node:fs/promises';
import ts from 'typescript';

export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (/^(\.|\/|file:)/.test(specifier) && specifier.endsWith('.js')) return next(`${specifier.slice(0, -3)}.ts`, context);
    throw e;
  }
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const source = await readFile(new URL(url), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: url,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, experimentalDecorators: true, useDefineForClassFields: true },
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}
