// The page's numbers (www/format.js) come from the core's formatter through the
// WebAssembly module; `node --test` instantiates pkg/ from its bytes. Every expected
// string is worked out by hand from the rules in src/numfmt.rs.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initSync } from '../../pkg/sigmafit.js';
import { withError, sci, sig, ohm, hz } from '../../www/format.js';

initSync({ module: readFileSync(new URL('../../pkg/sigmafit_bg.wasm', import.meta.url)) });

const plain = (s) => s.replace(/\u00a0/g, ' ');

it('rounding carries into the exponent', () => {
  assert.equal(plain(sci(9.96e-5, '', 2)), '1.0 × 10⁻⁴');
  assert.equal(plain(sci(9.996e5, 'S/cm', 3)), '1.00 × 10⁶ S/cm');
  assert.equal(plain(sci(99999, '', 3)), '1.00 × 10⁵');
  assert.equal(plain(withError(9.97e-5, 1.1e-7)), '(9.970 ± 0.011) × 10⁻⁵');
  assert.equal(plain(withError(9.99996e-5, 2.1e-8)), '(1.00000 ± 0.00021) × 10⁻⁴');
});

it('an error that rounds up a digit sets the value\'s last digit after its own rounding', () => {
  // 654 to two figures is 650: the value to the tens.
  assert.equal(plain(withError(4529.3, 654)), '4530 ± 650');
  // 0.0996 to two figures is 0.10: two decimals.
  assert.equal(plain(withError(2.3456, 0.0996)), '2.35 ± 0.10');
});

it('the same digits as the CLI: two figures of the error', () => {
  assert.equal(plain(ohm(149.6912, 0.3121)), '149.69 ± 0.31 Ω');
  assert.equal(plain(withError(1.27324, 0.00062)), '1.27324 ± 0.00062');
});

it('no negative zero, and a true minus sign', () => {
  assert.equal(plain(withError(-0.0004, 0.31, 'Ω')), '0.00 ± 0.31 Ω');
  assert.equal(plain(sci(-1.27e-4, 'S/cm')), '−1.27 × 10⁻⁴ S/cm');
  assert.equal(sig(-0.0, 3), '0');
});

it('significant figures, frequencies, and no number', () => {
  assert.equal(sig(1482, 3), '1480');
  assert.equal(plain(hz(159154.9)), '159 kHz');
  assert.equal(plain(hz(999960)), '1 MHz');
  assert.equal(withError(NaN, 1), '—');
  assert.equal(sci(undefined), '—');
});
