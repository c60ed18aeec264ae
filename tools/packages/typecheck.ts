// `tsc --noEmit` of a consumer project's example files, in this process through TypeScript's API,
// so the default libraries and @types/node are parsed once for every project and configuration
// instead of once per tsc run (that parse was most of the consumer test's time).
import * as path from 'node:path';
import ts from 'typescript';

/** The module settings a consumer may use. */
export type Resolution = 'node16' | 'bundler';

const cache = new Map<string, ts.SourceFile | undefined>();

/** Compiler options of a strict consumer project with the given resolution. */
export function consumerOptions(resolution: Resolution, typeRoots: string[]): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    types: ['node'],
    typeRoots,
    ...(resolution === 'node16'
      ? { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }
      : { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }),
  };
}

/**
 * Type errors of `files` (absolute) and of every `@spert/*` declaration file they reach, as tsc
 * prints them (`file(line,col): error TS...`, paths relative to `dir`). Declarations of other
 * packages are not checked: their errors are theirs (TF.js 4.22's name a type of a package it does
 * not depend on), while ours are checked in full, so an import one of them cannot resolve fails.
 */
export function typecheck(dir: string, files: string[], options: ts.CompilerOptions): string[] {
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreate) => {
    // Only files outside the project (libraries, @types) are shared; a declaration's module
    // format is part of the key because node16 parses a .d.ts as ESM or CommonJS.
    const shared = !path.resolve(fileName).startsWith(path.resolve(dir) + path.sep);
    const key = `${fileName}\0${JSON.stringify(languageVersionOrOptions)}`;
    if (shared && cache.has(key)) return cache.get(key);
    const sf = getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreate);
    if (shared) cache.set(key, sf);
    return sf;
  };
  const program = ts.createProgram({ rootNames: files, options, host });
  const diagnostics: ts.Diagnostic[] = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const sf of program.getSourceFiles()) {
    const rel = path.relative(dir, sf.fileName).split(path.sep).join('/');
    const ours = !rel.startsWith('..') && (!rel.includes('node_modules/') || rel.includes('node_modules/@spert/'));
    if (ours) diagnostics.push(...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf));
  }
  return diagnostics
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
      if (!d.file || d.start === undefined) return `error TS${d.code}: ${text}`;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${path.relative(dir, d.file.fileName)}(${line + 1},${character + 1}): error TS${d.code}: ${text}`;
    });
}
