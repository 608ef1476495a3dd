// Build step: typeset TeX to HTML with KaTeX, so pages need only its CSS and
// fonts, no math JavaScript in the browser. Reads a JSON array of TeX strings
// on stdin, writes a JSON array of HTML strings; any TeX error fails the build.
import katex from "katex";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map((tex) =>
  katex.renderToString(tex, { displayMode: true, throwOnError: true, output: "htmlAndMathml" }),
);
process.stdout.write(JSON.stringify(out));
