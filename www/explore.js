// The teaching explorer (the page at #explore): sliders with typed fields for the
// pellet's σ_eff, interfacial C·d/A, CPE α, R1 share, cable inductance, window and
// noise; live Nyquist and Bode plots, the σ–C·d/A map and the sentences. Everything
// with a number is the core's (src/explore/, through exploreDraw): the spectrum from
// the core's circuit evaluation, the lines, the map, the sentences. This file builds
// the controls from the core's limits, keeps the values, and draws at most once per
// animation frame. "Fit this spectrum" hands the core's CSV to the calculator.

import { exploreLimits, explorePresets, exploreDraw, exploreCsv, parseNumber } from '../pkg/sigmafit.js';
import { sci, sig, withError } from './format.js';
import { el } from './dom.js';

const $ = (sel) => document.querySelector(sel);

/**
 * How each of the core's inputs is shown: the field's id (the tests' hooks), its label
 * and unit, and a factor from the core's unit to the field's (noise in per cent).
 */
const FIELDS = {
  sigma_s_per_cm: { id: 'explore-sigma', label: 'σ_eff', unit: 'S/cm', title: 'effective electronic conductivity of the pellet' },
  c_norm_f_per_cm: { id: 'explore-cda', label: 'C·d/A', unit: 'F/cm', title: 'interfacial capacitance normalised by the cell constant (the arc\'s C2 × d/A)' },
  alpha: { id: 'explore-alpha', label: 'CPE α', unit: '', title: 'the arc\'s CPE exponent (1: an ideal capacitor)' },
  r1_share: { id: 'explore-r1-share', label: 'R1/R_con', unit: '', title: 'share of R_con in the series resistance R1 (the rest is the arc\'s R2)' },
  inductance_h: { id: 'explore-inductance', label: 'cable L', unit: 'H', title: 'the cables\' inductance (0: none)' },
  f_min_hz: { id: 'explore-fmin', label: 'f_min', unit: 'Hz', title: 'lowest frequency measured' },
  f_max_hz: { id: 'explore-fmax', label: 'f_max', unit: 'Hz', title: 'highest frequency measured' },
  noise_rel: { id: 'explore-noise', label: 'noise', unit: '%', factor: 100, title: 'Gaussian noise proportional to |Z| (fixed seed: the same values give the same spectrum)' },
};

/** Slider positions: a log range is cut into this many steps. */
const STEPS = 1000;

/** The heading over the sentences, by the core's region (the sentences say why). */
const VERDICT = {
  whole_arc: 'Semicircle: the whole arc is inside',
  part_of_arc: 'Part of the arc: its top is inside',
  no_arc: 'No semicircle: the apex is above f_max',
  below_window: 'No closed arc: the apex is below f_min',
};

/** A value as a field shows it: three figures, e-notation where it spans decades (readable by parseNumber). */
function fieldText(value, limit) {
  const shown = value * (FIELDS[limit.key].factor ?? 1);
  if (shown === 0) return '0';
  const rounded = Number(shown.toPrecision(3));
  return limit.scale === 'log' ? rounded.toExponential().replace('e+', 'e') : String(rounded);
}

function toSlider(value, limit) {
  if (limit.scale === 'log') {
    if (!(value > 0)) return 0;
    const lo = Math.log10(limit.lo);
    return Math.round(((Math.log10(value) - lo) / (Math.log10(limit.hi) - lo)) * STEPS);
  }
  return Math.round(((value - limit.lo) / (limit.hi - limit.lo)) * STEPS);
}

function fromSlider(position, limit) {
  const t = Number(position) / STEPS;
  if (limit.scale === 'log') {
    const lo = Math.log10(limit.lo);
    return Number((10 ** (lo + t * (Math.log10(limit.hi) - lo))).toPrecision(3));
  }
  return Number((limit.lo + t * (limit.hi - limit.lo)).toPrecision(3));
}

export class Explorer {
  /**
   * @param {object} options
   * @param {() => object} options.settings the calculator's settings as typed (the pellet, εr, particle size)
   * @param {(spectrum: {name: string, text: string, truth: object}) => void} options.fit hands a spectrum to the calculator
   */
  constructor({ settings, fit }) {
    this.settings = settings;
    this.fit = fit;
    this.limits = [];
    this.values = {};
    this.fields = {};
    this.built = false;
    this.pending = false;
    this.last = null;
    this.sizes = new WeakMap();
    this.watcher = new ResizeObserver((seen) => {
      for (const { target, contentBoxSize } of seen) {
        const box = contentBoxSize?.[0];
        if (box) this.sizes.set(target, { width: box.inlineSize, height: box.blockSize });
      }
      if (this.visible()) this.schedule();
    });
    this.timings = [];
  }

  visible() {
    return !$('#explorer').hidden;
  }

  /** Builds the controls once (the core's limits), then draws. */
  show() {
    if (!this.built) this.build();
    this.schedule();
  }

  build() {
    this.built = true;
    this.limits = exploreLimits();
    const box = $('#explore-fields');
    for (const limit of this.limits) {
      const field = FIELDS[limit.key];
      this.values[limit.key] = limit.default;
      const slider = el('input', {
        type: 'range', min: 0, max: STEPS, step: 1, id: `${field.id}-slider`,
        'aria-label': `${field.label}${field.unit ? ` (${field.unit})` : ''}${limit.scale === 'log' ? ', log scale' : ''}`,
      });
      const input = el('input', {
        type: 'text', inputmode: 'decimal', class: 'num-input', id: field.id, spellcheck: 'false', title: field.title,
        'aria-describedby': `${field.id}-note`,
      });
      const range = `${fieldText(limit.lo, limit)} … ${fieldText(limit.hi, limit)}${limit.also !== null ? ` or ${fieldText(limit.also, limit)}` : ''}`;
      const note = el('p', { class: 'explore-note', id: `${field.id}-note`, hidden: true });
      box.append(el('div', { class: 'explore-field', 'data-key': limit.key },
        el('label', { for: field.id, title: field.title }, field.label, field.unit ? el('span', { class: 'unit' }, ` ${field.unit}`) : ''),
        el('div', { class: 'explore-inputs' }, slider, input),
        note));
      input.title = `${field.title}; ${range}`;
      this.fields[limit.key] = { slider, input, note, limit };
      slider.addEventListener('input', () => {
        this.values[limit.key] = fromSlider(slider.value, limit);
        input.value = fieldText(this.values[limit.key], limit);
        this.showNote(limit.key, null);
        this.schedule();
      });
      const apply = () => this.typed(limit.key);
      input.addEventListener('change', apply);
      input.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter') {
          ev.preventDefault();
          apply();
        }
      });
    }
    this.syncFields();
    this.buildPresets();
    $('#explore-fit').addEventListener('click', () => this.sendToCalculator());
    for (const canvas of this.canvases()) this.watcher.observe(canvas);
  }

  buildPresets() {
    const box = $('#explore-presets');
    box.replaceChildren();
    let presets = [];
    try {
      presets = explorePresets(this.settings());
    } catch (e) {
      console.warn(`explorer presets: ${e?.message ?? e}`);
    }
    for (const preset of presets) {
      const button = el('button', { type: 'button', class: 'button small', 'data-preset': preset.key, title: preset.note }, preset.label);
      button.addEventListener('click', () => {
        // The pellet may have changed in the settings since: the dummy cell follows it.
        const fresh = explorePresets(this.settings()).find((p) => p.key === preset.key) ?? preset;
        Object.assign(this.values, fresh.input);
        for (const key of Object.keys(this.fields)) this.showNote(key, null);
        this.syncFields();
        this.schedule();
      });
      box.append(button);
    }
  }

  /** A typed value: the core parses it (decimal comma allowed), the core clamps it. */
  typed(key) {
    const { input, limit } = this.fields[key];
    let value;
    try {
      value = parseNumber(input.value);
    } catch (e) {
      this.showNote(key, e?.message ?? String(e), { invalid: true });
      return;
    }
    if (value === undefined || value === null) {
      input.value = fieldText(this.values[key], limit);
      this.showNote(key, null);
      return;
    }
    this.values[key] = value / (FIELDS[key].factor ?? 1);
    this.showNote(key, null);
    this.update();
  }

  /**
   * The note under a field: a value that could not be read (`invalid`: the field keeps
   * the text typed, marked) or one that was clamped (the field shows the value used).
   */
  showNote(key, message, { invalid = false } = {}) {
    const field = this.fields[key];
    field.note.hidden = !message;
    field.note.textContent = message ?? '';
    field.invalid = Boolean(message) && invalid;
    if (field.invalid) field.input.setAttribute('aria-invalid', 'true');
    else field.input.removeAttribute('aria-invalid');
  }

  /** Sliders and fields show the values in force (a field with unreadable text keeps it). */
  syncFields() {
    for (const [key, { slider, input, limit, invalid }] of Object.entries(this.fields)) {
      slider.value = String(toSlider(this.values[key], limit));
      if (!invalid) input.value = fieldText(this.values[key], limit);
    }
  }

  canvases() {
    return [$('#explore-plot-nyquist'), $('#explore-plot-bode'), $('#explore-plot-map')];
  }

  /** One draw in the next animation frame, however many slider events come before it. */
  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      if (this.visible()) this.update();
    });
  }

  size(canvas, dpr) {
    if (!this.sizes.has(canvas)) this.watcher.observe(canvas);
    const rect = this.sizes.get(canvas) ?? canvas.getBoundingClientRect();
    const w = Math.max(1, Math.round(rect.width * dpr));
    const h = Math.max(1, Math.round(rect.height * dpr));
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== h) canvas.height = h;
  }

  /** Makes, draws and explains the spectrum of the values in force. */
  update() {
    const t0 = performance.now();
    const dpr = window.devicePixelRatio || 1;
    const [nyquist, bode, map] = this.canvases();
    for (const canvas of [nyquist, bode, map]) this.size(canvas, dpr);
    let e;
    try {
      e = exploreDraw(this.values, this.settings(), nyquist, bode, map, dpr);
    } catch (error) {
      $('#explore-verdict').textContent = `The explorer could not draw: ${error?.message ?? error}`;
      return;
    }
    this.last = e;
    this.render(e);
    this.timings.push(performance.now() - t0);
    // Kept for the benchmark (window.sigmafitTimings.exploreMs), not forever.
    if (this.timings.length > 5000) this.timings.splice(0, 1000);
  }

  render(e) {
    // The values the core used: a clamped input says so beside its field.
    for (const adjusted of e.adjusted) {
      const { limit } = this.fields[adjusted.key];
      const given = adjusted.given === null ? 'that' : fieldText(adjusted.given, limit);
      this.showNote(adjusted.key, `${given} is outside ${fieldText(limit.lo, limit)} … ${fieldText(limit.hi, limit)}: ${fieldText(adjusted.used, limit)} is used`);
    }
    Object.assign(this.values, e.values);
    this.syncFields();

    const boundary = $('[data-result="explore-boundary"]');
    boundary.dataset.value = String(e.boundary_s_per_cm);
    boundary.textContent = sci(e.boundary_s_per_cm);
    const apexLine = $('[data-result="explore-apex-line"]');
    apexLine.dataset.value = String(e.apex_line_s_per_cm);
    apexLine.textContent = sci(e.apex_line_s_per_cm, 'S/cm');
    // The verdict carries the visible hook: "semicircle" when the apex lies inside [f_min, f_max].
    const verdict = $('#explore-verdict');
    verdict.dataset.value = e.visible;
    verdict.textContent = VERDICT[e.region] ?? '';
    verdict.dataset.region = e.region;
    $('#explorer').dataset.region = e.region;

    const list = $('#explore-sentences');
    list.replaceChildren(...e.sentences.map((s) => el('p', { 'data-sentence': s.key }, s.text)));

    const p = e.pellet;
    const size = p.diameter_cm ? `${sig(p.thickness_cm * 10, 3)} mm × ${sig(p.diameter_cm * 10, 3)} mm` : `${sig(p.thickness_cm * 10, 3)} mm, A = ${sig(p.area_cm2, 3)} cm²`;
    $('#explore-pellet').textContent = p.assumed
      ? `Pellet ${size}, assumed: the settings give none. R_con = ${withError(e.r_con_ohm, null, 'Ω')}.`
      : `Pellet ${size} (from the calculator's settings): R_con = ${withError(e.r_con_ohm, null, 'Ω')}, R1 = ${withError(e.r1_ohm, null, 'Ω')}, R2 = ${withError(e.r2_ohm, null, 'Ω')}.`;
  }

  /** The spectrum drawn, noise included, to the calculator as a file, with its truth. */
  sendToCalculator() {
    const values = { ...this.values };
    let text;
    try {
      text = exploreCsv(values, this.settings());
    } catch (e) {
      $('#explore-verdict').textContent = `The spectrum could not be made: ${e?.message ?? e}`;
      return;
    }
    const e = this.last;
    const name = `explorer_sigma-${values.sigma_s_per_cm.toExponential(2)}_CdA-${values.c_norm_f_per_cm.toExponential(2)}.csv`;
    const truth = e && {
      sigma: e.values.sigma_s_per_cm,
      r_con: e.r_con_ohm,
      r1: e.r1_ohm,
      r2: e.r2_ohm,
      alpha: e.values.alpha,
      c_norm: e.values.c_norm_f_per_cm,
      inductance: e.values.inductance_h,
      noise: e.values.noise_rel,
      region: e.region,
    };
    this.fit({ name, text, truth });
  }
}

/**
 * The explorer's truth beside what the calculator recovered from its spectrum, in the
 * result panel of a spectrum that came from the explorer (hidden for any other).
 */
export function renderTruth(entry) {
  const box = $('#explore-truth');
  const line = $('#explore-truth-line');
  const truth = entry?.truth;
  const a = entry?.result?.analysis;
  box.hidden = !truth;
  line.hidden = !truth;
  if (!truth) return;
  line.textContent = `the explorer's truth: ${sci(truth.sigma, 'S/cm')} (see Parameters)`;
  const param = (name) => a?.params?.[name] ?? null;
  const fitted = (p) => (p ? withError(p.value, p.stderr, p.unit) : '—');
  // [quantity, truth as shown, fitted as shown, hook name, truth as a number]
  const rows = [
    ['σ_eff', sci(truth.sigma, 'S/cm'), a?.sigma_S_per_cm ? withError(a.sigma_S_per_cm.value, a.sigma_S_per_cm.stderr, 'S/cm') : '—', 'sigma', truth.sigma],
    ['R_con', sci(truth.r_con, 'Ω'), a?.r_con_ohm ? withError(a.r_con_ohm.value, a.r_con_ohm.stderr, 'Ω') : '—', 'r-con', truth.r_con],
  ];
  if (param('R1')) {
    rows.push(['R1', sci(truth.r1, 'Ω'), fitted(param('R1'))]);
    rows.push(['R2', sci(truth.r2, 'Ω'), fitted(param('R2'))]);
    rows.push(['CPE α', sig(truth.alpha, 3), fitted(param('CPE2.alpha'))]);
    const cNorm = a?.capacitance?.c_norm_f_per_cm;
    rows.push(['C·d/A', sci(truth.c_norm, 'F/cm'), typeof cNorm === 'number' ? sci(cNorm, 'F/cm') : '—', 'c-norm', truth.c_norm]);
  } else if (param('R0')) {
    const lead = a?.lead_inductance;
    rows.push(['cable L', sci(truth.inductance, 'H'), lead ? withError(lead.inductance_h, lead.stderr_h, 'H') : `CPE0 α = ${fitted(param('CPE0.alpha'))}`]);
  }
  $('#explore-truth tbody').replaceChildren(...rows.map(([name, want, got, hook, value]) => {
    const cell = el('td', { class: 'num' }, want);
    if (hook) {
      cell.dataset.result = `truth-${hook}`;
      cell.dataset.value = String(value);
    }
    return el('tr', {}, el('th', { scope: 'row' }, name), cell, el('td', { class: 'num' }, got));
  }));
}
