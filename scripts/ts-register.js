// Lets a process or worker thread `require` the project's TypeScript directly (node -r this-file
// x.ts): tests spawn real worker processes from test code, and the inference pool starts its
// worker threads from src/ when it runs from src/ itself (under jest), so tests never run a stale
// dist/. Transpile only (no type check: tsc does that); no ts-node or tsx is needed.
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
  });
  module._compile(outputText, filename);
};
