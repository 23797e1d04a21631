// Number formatting for a scientific audience: values carry as many figures as
// their standard error supports (two significant figures of the error).

const SUPERSCRIPT = { '-': '⁻', 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹' };

export function superscript(n) {
  return String(n).split('').map((c) => SUPERSCRIPT[c] ?? c).join('');
}

function isNum(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Decimal exponent of v as printed (from toExponential, so 1000 → 3 exactly). */
function exponentOf(v) {
  if (v === 0 || !isNum(v)) return 0;
  return Number(v.toExponential().split('e')[1]);
}

/** Plain notation only where it reads well: 10⁻² ≤ |v| < 10⁵. */
function plainRange(exp) {
  return exp >= -2 && exp <= 4;
}

const minus = (s) => s.replace('-', '−');

/**
 * `value` rounded to the last place its `error` supports (two significant figures
 * of the error when it starts with 1 or 2, else one), or to `digits` significant
 * figures without an error. The exponent is taken after rounding, so 9.96e-5 to
 * two figures is 1.0 × 10⁻⁴. Returns {v, e, exp}: mantissa text, error text (or
 * null) and the power of ten (null when written plainly).
 */
function parts(value, error, digits = 4) {
  if (isNum(error) && error > 0) {
    const errExp = exponentOf(error);
    const lead = error / 10 ** errExp;
    const last = errExp - (lead < 3 ? 1 : 0); // power of ten of the last digit shown
    const rounded = Math.round(value / 10 ** last) * 10 ** last;
    const exp = exponentOf(rounded === 0 ? error : rounded);
    const scale = plainRange(exp) ? 0 : exp;
    const decimals = Math.min(Math.max(scale - last, 0), 15);
    const s = 10 ** scale;
    return { v: (rounded / s).toFixed(decimals), e: (error / s).toFixed(decimals), exp: scale === 0 ? null : scale };
  }
  if (value === 0) return { v: '0', e: null, exp: null };
  const rounded = Number(value.toPrecision(digits));
  const exp = exponentOf(rounded);
  if (plainRange(exp)) {
    return { v: rounded.toFixed(Math.max(digits - 1 - exp, 0)), e: null, exp: null };
  }
  return { v: (rounded / 10 ** exp).toFixed(digits - 1), e: null, exp };
}

function join(p, unit) {
  // No-break spaces keep "× 10⁻⁴" and the unit with their number.
  const u = unit ? `\u00a0${unit}` : '';
  const pow = p.exp === null ? '' : `\u00a0×\u00a010${superscript(p.exp)}`;
  if (p.e === null) return `${minus(p.v)}${pow}${u}`;
  if (p.exp === null) return `${minus(p.v)} ±\u00a0${p.e}${u}`;
  return `(${minus(p.v)} ±\u00a0${p.e})${pow}${u}`;
}

/**
 * "(1.2732 ± 0.0006) × 10⁻⁴ S/cm". An error that is not a finite number or is
 * larger than the value itself says the fit did not determine the value: then
 * "≈ 4 × 10⁻³² Ω, undetermined". A missing (null) error gives the value alone.
 */
export function withError(value, error, unit = '') {
  if (!isNum(value)) return '—';
  if (typeof error === 'number' && (!Number.isFinite(error) || error > Math.abs(value))) {
    return `≈\u00a0${join(parts(value, null, 2), unit)}, undetermined`;
  }
  return join(parts(value, error), unit);
}

/** Value without error, `digits` significant figures, scientific when very small or large. */
export function sci(value, unit = '', digits = 3) {
  if (!isNum(value)) return '—';
  return join(parts(value, null, digits), unit);
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
  // Prefixes where they read well; beyond them the plain unit with a power of ten.
  const [scale, unit] = a >= 1e9 ? [1, 'Ω'] : a >= 1e6 ? [1e6, 'MΩ'] : a >= 1e4 ? [1e3, 'kΩ']
    : a < 1e-1 && a >= 1e-3 ? [1e-3, 'mΩ'] : [1, 'Ω'];
  return withError(value / scale, isNum(error) ? error / scale : null, unit);
}

/** Length from nm. */
export function nm(value) {
  if (!isNum(value)) return '—';
  return value >= 1000 ? `${sig(value / 1000, 2)} µm` : `${sig(value, 2)} nm`;
}

/** `digits` significant figures, trailing zeros dropped; scientific outside 10⁻² … 10⁵. */
export function sig(value, digits) {
  if (!isNum(value)) return '—';
  if (value === 0) return '0';
  const p = parts(value, null, digits);
  if (p.exp !== null) return join({ ...p, v: p.v.includes('.') ? p.v.replace(/0+$/, '').replace(/\.$/, '') : p.v }, '');
  return minus(p.v.includes('.') ? p.v.replace(/0+$/, '').replace(/\.$/, '') : p.v);
}

/** Unit strings of the core ("F s^(α−1)") shown as they are; empty for dimensionless. */
export function unitLabel(unit) {
  return unit || '';
}

/**
 * A number as people type it: "1.5", "1,5" (one decimal comma), "1e-3", "−0.2".
 * Returns null for an empty field; throws a message when the text is not a number
 * or is ambiguous ("1,000" could be one or a thousand; "1.000,5" mixes separators).
 */
export function parseDecimal(raw) {
  let text = raw.trim().replace(/\u2212/g, '-').replace(/\s+/g, '');
  if (text === '') return null;
  const commas = (text.match(/,/g) ?? []).length;
  if (commas > 1 || (commas === 1 && text.includes('.'))) {
    throw new Error(`“${raw.trim()}” is ambiguous: use one decimal separator and no thousands separators`);
  }
  if (commas === 1) {
    if (/^[+-]?[1-9]\d{0,2},\d{3}$/.test(text)) {
      throw new Error(`“${raw.trim()}” is ambiguous (a decimal comma or a thousands separator?): write ${text.replace(',', '.')} or ${text.replace(',', '')}`);
    }
    text = text.replace(',', '.');
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) throw new Error(`“${raw.trim()}” is not a number`);
  const v = Number(text);
  if (!Number.isFinite(v)) throw new Error(`“${raw.trim()}” is too large`);
  return v;
}

/**
 * The core writes numbers in its sentences in plain text ("1.27e-4 S/cm"); on the page
 * they are typeset like every other number here ("1.27 × 10⁻⁴ S/cm").
 */
export function typesetProse(text) {
  return String(text).replace(/(\d(?:\.\d+)?)e([+-]?)0*(\d+)/g, (_, mantissa, sign, digits) =>
    `${mantissa}\u00a0×\u00a010${superscript((sign === '-' ? '-' : '') + digits)}`);
}
