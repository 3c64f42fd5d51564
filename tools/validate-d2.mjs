// Compile and render D2 from stdin with @terrastruct/d2 (the D2 compiler built to WASM); print a
// JSON summary of the shapes and connections. Exit 1 with the compiler's message when invalid.
import { D2 } from '@terrastruct/d2';

let src = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { src += chunk; });
process.stdin.on('end', async () => {
  try {
    const d2 = new D2();
    const result = await d2.compile(src);
    const svg = await d2.render(result.diagram, result.renderOptions);
    const shapes = (result.diagram.shapes || []).map((s) => ({ id: s.id, type: s.type, label: s.label }));
    const connections = (result.diagram.connections || []).map((c) => ({
      src: c.src, dst: c.dst, label: c.label, stroke: c.stroke }));
    process.stdout.write(JSON.stringify({ shapes, connections, svg_bytes: svg.length }));
    process.exit(0);
  } catch (err) {
    process.stderr.write(`${(err && err.message) || String(err)}\n`);
    process.exit(1);
  }
});
