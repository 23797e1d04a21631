// Unit tests of the page's number formatting (www/format.js), run by `node --test`.

import { it } from 'node:test';
import assert from 'node:assert/strict';
import { withError, sci, sig, ohm, hz, parseDecimal, typesetProse } from '../../www/format.js';

const plain = (s) => s.replace(/\u00a0/g, ' ');

it('rounding carries into the exponent', () => {
  assert.equal(plain(sci(9.96e-5, '', 2)), '1.0 × 10⁻⁴');
  assert.equal(plain(sci(9.996e5, 'S/cm', 3)), '1.00 × 10⁶ S/cm');
  assert.equal(plain(sci(99999, '', 3)), '1.00 × 10⁵');
  assert.equal(plain(sci(0.00099996, '', 3)), '1.00 × 10⁻³');
  assert.equal(plain(withError(9.97e-5, 1.1e-7)), '(9.970 ± 0.011) × 10⁻⁵');
  assert.equal(plain(withError(9.99996e-5, 2.1e-8)), '(1.00000 ± 0.00021) × 10⁻⁴');
});

it('plain numbers between 10⁻² and 10⁵', () => {
  assert.equal(plain(withError(1.27324, 0.00062)), '1.2732 ± 0.0006');
  assert.equal(plain(withError(1.27324, 0.00022)), '1.27324 ± 0.00022');
  assert.equal(plain(withError(1000.4, 5.3, 'Ω')), '1000 ± 5 Ω');
  assert.equal(plain(sci(0.0123, '', 3)), '0.0123');
  assert.equal(plain(sci(0.00123, '', 3)), '1.23 × 10⁻³');
  assert.equal(plain(withError(-0.5, 0.02)), '−0.500 ± 0.020');
});

it('huge and tiny values switch to scientific; toFixed never sees them', () => {
  assert.equal(plain(sci(4e-32, 'Ω', 2)), '4.0 × 10⁻³² Ω');
  assert.equal(plain(sci(3.19e37)), '3.19 × 10³⁷');
  assert.equal(plain(sig(3.19e37, 3)), '3.19 × 10³⁷');
  assert.equal(plain(sig(1e-12, 2)), '1 × 10⁻¹²');
  assert.equal(sig(1234.5, 5), '1234.5');
  assert.equal(sig(42.10, 3), '42.1');
  assert.equal(plain(hz(1e6)), '1 MHz');
  assert.equal(plain(hz(2.5e-3)), '2.5 × 10⁻³ Hz');
  for (const text of [sci(1e300), sig(-1e250, 3), withError(1e25, 1e23), ohm(4e-32, 3.19e37)]) {
    assert.doesNotMatch(text, /e[+-]?\d/, text);
  }
});

it('an error that is not finite or exceeds the value is "undetermined"', () => {
  assert.equal(plain(ohm(4e-32, 3.19e37)), '≈ 4.0 × 10⁻³² Ω, undetermined');
  assert.equal(plain(withError(2.5, Infinity, 'F')), '≈ 2.5 F, undetermined');
  assert.equal(plain(withError(2.5, NaN)), '≈ 2.5, undetermined');
  assert.equal(plain(withError(-2.5, 3)), '≈ −2.5, undetermined');
  // No error at all (null) is the value alone.
  assert.equal(plain(withError(2.5, null)), '2.500');
  assert.equal(withError(NaN, 1), '—');
});

it('resistance prefixes', () => {
  assert.equal(plain(ohm(0.0123, 0.0004)), '12.3 ± 0.4 mΩ');
  assert.equal(plain(ohm(25000, 300)), '25.00 ± 0.30 kΩ');
  assert.equal(plain(ohm(2.5e6)), '2.500 MΩ');
  assert.equal(plain(ohm(2.5e12)), '2.500 × 10¹² Ω');
});

it('decimal input: one decimal comma is a point; ambiguity is an error', () => {
  assert.equal(parseDecimal('1,5'), 1.5);
  assert.equal(parseDecimal(' 0,125 '), 0.125);
  assert.equal(parseDecimal('1.5'), 1.5);
  assert.equal(parseDecimal('1e-3'), 1e-3);
  assert.equal(parseDecimal('−0,2'), -0.2);
  assert.equal(parseDecimal('1,'), 1);
  assert.equal(parseDecimal(''), null);
  assert.throws(() => parseDecimal('1,000'), /ambiguous/);
  assert.throws(() => parseDecimal('1.000,5'), /ambiguous/);
  assert.throws(() => parseDecimal('1,2,3'), /ambiguous/);
  assert.throws(() => parseDecimal('abc'), /not a number/);
  assert.throws(() => parseDecimal('1e999'), /too large/);
});

it('numbers in the core\'s sentences are typeset, the rest is left alone', () => {
  assert.equal(
    plain(typesetProse("σ_eff = 1.27e-4 S/cm is below the paper's 1e-3 S/cm; R1-p(R2,CPE2) at 42.1 kHz; 2.3e+5 Ω; 5.00e-10 F/cm")),
    "σ_eff = 1.27 × 10⁻⁴ S/cm is below the paper's 1 × 10⁻³ S/cm; R1-p(R2,CPE2) at 42.1 kHz; 2.3 × 10⁵ Ω; 5.00 × 10⁻¹⁰ F/cm",
  );
});
