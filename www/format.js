// Numbers on the page come from the core's one formatter (src/numfmt.rs, typeset
// style) through the WebAssembly boundary, so the page shows the digits the CLI
// prints. Only the dash for "no number" and the axis exponents of the page's own
// SVG scales are made here.

import { formatWithError, formatScientificWithError, formatValue, formatSig, formatHz } from '../pkg/sigmafit.js';

const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

/** An integer exponent as superscript digits (axis ticks: 10⁻³). */
export function superscript(n) {
  return String(n).split('').map((c) => SUPERSCRIPT[c] ?? c).join('');
}

function isNum(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

/** "(1.2732 ± 0.0006) × 10⁻⁴ S/cm": the error to two figures, the value to its last digit. */
export function withError(value, error, unit = '') {
  if (!isNum(value)) return '—';
  return formatWithError(value, isNum(error) ? error : undefined, unit);
}

/** As withError, always in scientific notation: a column of values over decades reads alike. */
export function withErrorScientific(value, error, unit = '') {
  if (!isNum(value)) return '—';
  return formatScientificWithError(value, isNum(error) ? error : undefined, unit);
}

/** `digits` significant figures with a unit, scientific outside 10⁻² … 10⁵. */
export function sci(value, unit = '', digits = 3) {
  if (!isNum(value)) return '—';
  return formatValue(value, digits, unit);
}

/** `digits` significant figures, trailing zeros dropped. */
export function sig(value, digits) {
  if (!isNum(value)) return '—';
  return formatSig(value, digits);
}

/** Frequency with a prefix: 42.1 kHz. */
export function hz(f) {
  if (!isNum(f)) return '—';
  return formatHz(f);
}

/** A resistance, as the CLI prints it (the same digits; no prefixes). */
export function ohm(value, error) {
  return withError(value, error, 'Ω');
}
