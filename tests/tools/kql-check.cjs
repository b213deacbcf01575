// Checks KQL queries with Microsoft's Kusto language service (npm @kusto/language-service-next):
// syntax and semantics (unknown tables, columns, functions, type errors) against the table schemas
// in kql-schema.json. Reads the queries on stdin, separated by lines that are exactly `//---`;
// prints one JSON object {queries, errors: [{query, message, start, text}]} and exits 1 on any error.
// Driven by cli/tests/kql.rs.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const dir = path.join(__dirname, 'node_modules', '@kusto', 'language-service-next');
// A Bridge.NET build: bridge.min.js defines the runtime, then the language's classes attach to it.
global.Bridge = undefined;
vm.runInThisContext(fs.readFileSync(path.join(dir, 'bridge.min.js'), 'utf8'));
vm.runInThisContext(fs.readFileSync(path.join(dir, 'Kusto.Language.Bridge.min.js'), 'utf8'));
const K = global.Kusto.Language;
const S = K.Symbols;

const types = {
  string: S.ScalarTypes.String,
  datetime: S.ScalarTypes.DateTime,
  dynamic: S.ScalarTypes.Dynamic,
  bool: S.ScalarTypes.Bool,
  long: S.ScalarTypes.Long,
  int: S.ScalarTypes.Int,
  real: S.ScalarTypes.Real,
  guid: S.ScalarTypes.Guid,
};
const schema = JSON.parse(fs.readFileSync(path.join(__dirname, 'kql-schema.json'), 'utf8'));
const tables = Object.entries(schema.tables).map(([name, columns]) => {
  const cols = columns.trim().split(/\s+/).map((spec) => {
    const [col, type] = spec.split(':');
    if (!types[type]) throw new Error(`kql-schema.json: ${name}.${col}: unknown type ${type}`);
    return new S.ColumnSymbol(col, types[type]);
  });
  return new S.TableSymbol.$ctor4(name, cols);
});
const db = new S.DatabaseSymbol('workspace', tables);
const globals = K.GlobalState.Default.WithCluster(new S.ClusterSymbol('sentinel', [db])).WithDatabase(db);

const input = fs.readFileSync(0, 'utf8');
const queries = input.split(/\r?\n\/\/---\r?\n/);
const errors = [];
queries.forEach((text, i) => {
  const code = K.KustoCode.ParseAndAnalyze(text, globals);
  const diags = code.GetDiagnostics();
  const n = diags.Count;
  for (let j = 0; j < n; j++) {
    const d = diags.getItem(j);
    if (d.Severity === 'Error') {
      errors.push({ query: i, message: d.Message, start: d.Start, text: text.substr(Math.max(0, d.Start - 40), 100) });
    }
  }
});
process.stdout.write(JSON.stringify({ queries: queries.length, errors }, null, 1) + '\n');
process.exit(errors.length ? 1 : 0);
