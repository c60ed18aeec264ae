// A README example in the four forms a user may write it: the TypeScript as printed (an ES module
// with top-level await), that module as JavaScript, and the CommonJS equivalents (imports become
// require(), the body runs inside an async function because CommonJS has no top-level await).
import ts from 'typescript';

/** The README code as an ES module in TypeScript (`.mts`): exactly as printed. */
export function asTypeScriptModule(code: string): string {
  return code.endsWith('\n') ? code : `${code}\n`;
}

/** The same program as CommonJS TypeScript (`.cts`): imports first, the rest in an async main. */
export function asTypeScriptCommonJs(code: string): string {
  const source = ts.createSourceFile('example.mts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const imports: string[] = [];
  const body: string[] = [];
  for (const s of source.statements) {
    const text = code.slice(s.getFullStart(), s.getEnd());
    (ts.isImportDeclaration(s) ? imports : body).push(text);
  }
  return [
    ...imports.map((t) => t.trim()),
    '',
    'async function main(): Promise<void> {',
    body.join('').replace(/^\n+/, ''),
    '}',
    'main().catch((error: unknown) => {',
    '  console.error(error);',
    '  process.exitCode = 1;',
    '});',
    '',
  ].join('\n');
}

function transpile(code: string, module: ts.ModuleKind, fileName: string): string {
  const out = ts.transpileModule(code, {
    fileName,
    reportDiagnostics: true,
    compilerOptions: { module, target: ts.ScriptTarget.ES2022, esModuleInterop: true, verbatimModuleSyntax: false },
  });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length) {
    throw new Error(`${fileName}: ${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ')}`);
  }
  return out.outputText;
}

/** The example as a JavaScript ES module (`.mjs`), types stripped. */
export function asJavaScriptModule(code: string): string {
  return transpile(asTypeScriptModule(code), ts.ModuleKind.ESNext, 'example.mts');
}

/** The example as a CommonJS script (`.cjs`): `require()` of each package, an async main. */
export function asCommonJs(code: string): string {
  return transpile(asTypeScriptCommonJs(code), ts.ModuleKind.CommonJS, 'example.cts');
}
