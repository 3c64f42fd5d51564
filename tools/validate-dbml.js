// Parse DBML from stdin with @dbml/core (the dbdiagram.io parser); print a JSON summary.
// Exit 1 with the parser's diagnostics on stderr when the source is invalid.
const { Parser } = require('@dbml/core');

let src = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { src += chunk; });
process.stdin.on('end', () => {
  try {
    const db = Parser.parse(src, process.argv[2] || 'dbmlv2');
    const schema = db.schemas[0];
    const tables = db.schemas.flatMap((s) => s.tables);
    const refs = db.schemas.flatMap((s) => s.refs);
    const groups = db.schemas.flatMap((s) => s.tableGroups || []);
    process.stdout.write(JSON.stringify({
      tables: tables.map((t) => ({ name: t.name, note: t.note, fields: t.fields.map((f) => ({
        name: f.name, type: f.type.type_name, pk: !!f.pk, unique: !!f.unique, not_null: !!f.not_null,
        note: f.note })) })),
      refs: refs.map((r) => r.endpoints.map((e) => ({ table: e.tableName, fields: e.fieldNames, relation: e.relation }))),
      groups: groups.map((g) => ({ name: g.name, tables: g.tables.map((t) => t.name) })),
      schema: schema ? schema.name : null,
    }));
  } catch (err) {
    const diags = (err && err.diags) || [err];
    for (const d of diags) {
      const loc = d.location && d.location.start ? `${d.location.start.line}:${d.location.start.column}: ` : '';
      process.stderr.write(`${loc}${d.message || String(d)}\n`);
    }
    process.exit(1);
  }
});
