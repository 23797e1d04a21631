// Unit tests of the page's result exports (www/export.js), run by `node --test`:
// spreadsheet formula injection, and the synthetic example kept out of exports.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, exportCsv, exportJson, exportedEntries } from '../../www/export.js';

it('text cells that a spreadsheet would run as a formula get a leading apostrophe', () => {
  assert.equal(csvCell('=1+1'), "'=1+1");
  assert.equal(csvCell('+SUM(A1)'), "'+SUM(A1)");
  assert.equal(csvCell('-2+3'), "'-2+3");
  assert.equal(csvCell('@cmd'), "'@cmd");
  assert.equal(csvCell('\tx'), "'\tx");
  assert.equal(csvCell('\rx'), `"'\rx"`);
  assert.equal(csvCell('=a,b'), `"'=a,b"`);
  assert.equal(csvCell('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  // Harmless text is left alone.
  assert.equal(csvCell('plain.csv'), 'plain.csv');
  assert.equal(csvCell('a=b'), 'a=b');
  assert.equal(csvCell('a,b'), '"a,b"');
});

it('numbers stay numbers, negative ones included', () => {
  assert.equal(csvCell(-1.5), '-1.5');
  assert.equal(csvCell(-2e-7), '-2e-7');
  assert.equal(csvCell(0), '0');
  assert.equal(csvCell(1.27e-4), '0.000127');
  assert.equal(csvCell(Number.NaN), '');
  assert.equal(csvCell(Number.POSITIVE_INFINITY), '');
  assert.equal(csvCell(true), 'true');
  assert.equal(csvCell(null), '');
});

/** A fitted entry as app.js keeps it (only what the export reads). */
function entry(name, { example = false, alpha = 0.9 } = {}) {
  return {
    name, example, sha256: 'ab'.repeat(32), error: null,
    result: {
      provenance: { sigmafit_version: '0.1.0', file: name, sha256: 'ab'.repeat(32), settings: { thickness_mm: 1, diameter_mm: 10 } },
      analysis: {
        param_order: ['R1', 'L0.alpha'],
        params: { R1: { value: 40, stderr: 0.5 }, 'L0.alpha': { value: -alpha, stderr: 0.01 } },
        sigma_S_per_cm: { value: 1.27e-4, stderr: 2e-7 },
        r_con_ohm: { value: 1000, stderr: 2, status: 'measured' },
        kind: 'semicircle', circuit: 'R1-p(R2|CPE2)', // no comma: the test splits lines at commas
      },
    },
  };
}

it('a file name cannot smuggle a formula into the results CSV; negative values stay numeric', () => {
  const bad = { name: '-cmd|calc.csv', example: false, sha256: 'cd'.repeat(32), error: '=cmd: not a spectrum', result: null };
  const csv = exportCsv([entry('@evil.csv'), bad], '0.1.0', { thickness_mm: 1 });
  const [header, row1, row2] = csv.trim().split('\r\n').map((l) => l.split(','));
  assert.equal(row1[0], "'@evil.csv");
  assert.equal(row1[header.indexOf('L0.alpha')], '-0.9');
  assert.equal(row1[header.indexOf('synthetic')], 'false');
  assert.equal(row2[0], "'-cmd|calc.csv");
  assert.equal(row2[header.indexOf('error')], "'=cmd: not a spectrum");
  for (const line of csv.trim().split('\r\n')) {
    for (const cell of line.split(',')) assert.doesNotMatch(cell, /^[=+@\t\r]/, `cell ${cell}`);
  }
});

it('the synthetic example is marked, and left out unless kept or alone', () => {
  const example = entry('synthetic_semicircle_LCO-like.csv', { example: true });
  const data = entry('pellet.csv');
  assert.deepEqual(exportedEntries([example, data]), [data]);
  assert.deepEqual(exportedEntries([example, data], true), [example, data]);
  assert.deepEqual(exportedEntries([example]), [example]);
  assert.deepEqual(exportedEntries([]), []);
  const doc = JSON.parse(exportJson([example, data], '0.1.0', null));
  assert.deepEqual(doc.results.map((r) => [r.file, r.synthetic]), [['synthetic_semicircle_LCO-like.csv', true], ['pellet.csv', false]]);
  const lines = exportCsv([example, data], '0.1.0', null).trim().split('\r\n').map((l) => l.split(','));
  const col = lines[0].indexOf('synthetic');
  assert.ok(col > 0);
  assert.deepEqual(lines.slice(1).map((l) => l[col]), ['true', 'false']);
});
