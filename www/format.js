// Number formatting for a scientific audience: values carry as many figures as
// their standard error supports (two significant figures of the error).

const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

export function superscript(n) {
  return String(n).split('').map((c) => SUPERSCRIPT[c] ?? c).join('');
}

function isNum(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

function exponentOf(v) {
  return v === 0 ? 0 : Math.floor(Math.log10(Math.abs(v)));
}

/** `value` to `digits` significant figures, plain or as a × 10ⁿ (returns {text, exp}). */
function parts(value, error, digits = 4) {
  const exp = exponentOf(value);
  const sci = exp < -2 || exp > 4;
  const scale = sci ? 10 ** exp : 1;
  const v = value / scale;
  let decimals;
  if (isNum(error) && error > 0) {
    const e = error / scale;
    // Two significant figures of the error when it starts with 1 or 2, else one.
    const lead = e / 10 ** Math.floor(Math.log10(e));
    const figures = lead < 3 ? 2 : 1;
    decimals = Math.min(Math.max(figures - 1 - Math.floor(Math.log10(e)), 0), 9);
    return { v: v.toFixed(decimals), e: e.toFixed(decimals), exp: sci ? exp : null };
  }
  decimals = Math.min(Math.max(digits - 1 - exponentOf(v), 0), 9);
  return { v: v.toFixed(decimals), e: null, exp: sci ? exp : null };
}

/** Plain text: "1.2732(6) style" is less familiar than ±, so: "(1.2732 ± 0.0006) × 10⁻⁴". */
export function withError(value, error, unit = '') {
  if (!isNum(value)) return '—';
  const p = parts(value, error);
  // No-break spaces keep "× 10⁻⁴" and the unit with their number.
  const u = unit ? `\u00a0${unit}` : '';
  const minus = (s) => s.replace('-', '−');
  if (p.e === null) {
    return p.exp === null ? `${minus(p.v)}${u}` : `${minus(p.v)}\u00a0×\u00a010${superscript(p.exp)}${u}`;
  }
  if (p.exp === null) return `${minus(p.v)} ±\u00a0${p.e}${u}`;
  return `(${minus(p.v)} ±\u00a0${p.e})\u00a0×\u00a010${superscript(p.exp)}${u}`;
}

/** Value without error, `digits` significant figures, scientific when very small or large. */
export function sci(value, unit = '', digits = 3) {
  if (!isNum(value)) return '—';
  const p = parts(value, null, digits);
  const u = unit ? `\u00a0${unit}` : '';
  const v = p.v.replace('-', '−');
  return p.exp === null ? `${v}${u}` : `${v}\u00a0×\u00a010${superscript(p.exp)}${u}`;
}

/** Frequency with a prefix: 42.1 kHz. */
export function hz(f) {
  if (!isNum(f)) return '—';
  if (f >= 1e6) return `${sig(f / 1e6, 3)} MHz`;
  if (f >= 1e3) return `${sig(f / 1e3, 3)} kHz`;
  return `${sig(f, 3)} Hz`;
}

/** Resistance with a prefix. */
export function ohm(value, error) {
  if (!isNum(value)) return '—';
  const a = Math.abs(value);
  const [scale, unit] = a >= 1e6 ? [1e6, 'MΩ'] : a >= 1e4 ? [1e3, 'kΩ'] : a < 1e-1 && a > 0 ? [1e-3, 'mΩ'] : [1, 'Ω'];
  return withError(value / scale, isNum(error) ? error / scale : null, unit);
}

/** Length from nm. */
export function nm(value) {
  if (!isNum(value)) return '—';
  return value >= 1000 ? `${sig(value / 1000, 2)} µm` : `${sig(value, 2)} nm`;
}

export function sig(value, digits) {
  if (!isNum(value)) return '—';
  if (value === 0) return '0';
  const decimals = Math.max(digits - 1 - exponentOf(value), 0);
  const text = value.toFixed(Math.min(decimals, 12));
  return (text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text).replace('-', '−');
}

/** Unit strings of the core ("F s^(α−1)") shown as they are; empty for dimensionless. */
export function unitLabel(unit) {
  return unit || '';
}
