// Parses a PowerShell script with the tree-sitter PowerShell grammar (npm tree-sitter-powershell)
// and prints {errors, commands}: every ERROR or missing node (with its row and column) and the name
// of every command invoked, in order, with the row it is on. Exits 1 when the parse has an error.
// Reads the script on stdin. Driven by cli/tests/contain.rs.
import { readFileSync } from 'node:fs';
import Parser from 'tree-sitter';
import PowerShell from 'tree-sitter-powershell';

const parser = new Parser();
parser.setLanguage(PowerShell);
const text = readFileSync(0, 'utf8');
// tree-sitter's Node binding reads long inputs through a callback: hand it the text in slices.
const tree = parser.parse((index) => text.slice(index, index + 4096));
const errors = [];
const commands = [];
const walk = (node) => {
  if (node.type === 'ERROR' || node.isMissing) {
    errors.push({ type: node.type, missing: node.isMissing, row: node.startPosition.row + 1, column: node.startPosition.column + 1, text: node.text.slice(0, 80) });
  }
  if (node.type === 'command_name') {
    commands.push({ name: node.text, row: node.startPosition.row + 1 });
  }
  for (const child of node.children) walk(child);
};
walk(tree.rootNode);
process.stdout.write(JSON.stringify({ hasError: tree.rootNode.hasError, errors, commands }, null, 1) + '\n');
process.exit(errors.length || tree.rootNode.hasError ? 1 : 0);
