// Compile D2 sources from stdin (several: separated by NUL characters) with @terrastruct/d2, the
// D2 compiler built to WASM, loaded once. Prints a JSON list with each diagram's shapes and
// connections; exits 1 with the compiler's message (and the source's index) when one is invalid.
// Rendering to SVG is left out: compiling (parse, check, lay out) is what validates.
import { D2 } from '@terrastruct/d2';

let src = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { src += chunk; });
process.stdin.on('end', async () => {
  const d2 = new D2();
  const out = [];
  const sources = src.split('\u0000');
  for (let i = 0; i < sources.length; i++) {
    try {
      const result = await d2.compile(sources[i]);
      out.push({
        shapes: (result.diagram.shapes || []).map((s) => ({ id: s.id, type: s.type, label: s.label })),
        connections: (result.diagram.connections || []).map((c) => ({ src: c.src, dst: c.dst, label: c.label })),
      });
    } catch (err) {
      process.stderr.write(`source ${i}: ${(err && err.message) || String(err)}\n`);
      process.exit(1);
    }
  }
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
});
