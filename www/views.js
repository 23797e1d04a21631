// Rendering of one spectrum's result: headline figures, parameter table, the
// circuit-choice panel (with its log-σ scale) and the capacitance attribution.

import { withError, sci, hz, ohm, sig, superscript } from './format.js';

const $ = (sel) => document.querySelector(sel);
const SVG = 'http://www.w3.org/2000/svg';

const KIND_TEXT = {
  inductive: '(a) inductive',
  semicircle: '(b) semicircle',
  custom: 'custom',
};
const PRESET_TEXT = {
  inductive: '(a) inductive R0–CPE0',
  semicircle: '(b) semicircle R1–(R2‖CPE2)',
  'semicircle-c': '(b) semicircle R1–(R2‖C2)',
};
const METHOD_TEXT = {
  user: 'chosen by you',
  bic: 'auto: lower BIC',
  paper_rule: 'auto: BICs tie, the paper’s rule decided',
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'html') node.innerHTML = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function setResult(name, value) {
  const node = document.querySelector(`[data-result="${name}"]`);
  node.dataset.value = value === null || value === undefined ? '' : String(value);
}

function facts(target, rows) {
  target.replaceChildren();
  for (const [term, value, note] of rows) {
    if (value === null || value === undefined) continue;
    const dt = el('dt', { html: term });
    const dd = el('dd');
    dd.append(value instanceof Node ? value : document.createTextNode(value));
    if (note) dd.append(el('span', { class: 'dd-note' }, note));
    target.append(dt, dd);
  }
}

// ---------------------------------------------------------------------------

export function renderEmpty() {
  $('#result-file').textContent = 'No spectrum loaded';
  $('#result-tag').hidden = true;
  showError(null);
  clearResult('Drop or choose a spectrum to see its result.');
}

function showError(message) {
  const box = $('#result-error');
  box.hidden = !message;
  box.textContent = message ?? '';
  box.dataset.value = message ?? '';
}

function clearResult(sentence = '') {
  setResult('sigma', null);
  setResult('r-con', null);
  setResult('circuit', null);
  $('#sigma-text').textContent = '—';
  $('#sigma-note').textContent = '';
  $('#sigma-unit').hidden = false;
  $('#quality-badges').replaceChildren();
  $('#analysis-notes').replaceChildren();
  $('#analysis-notes').hidden = true;
  $('#rcon-text').textContent = '—';
  $('#rcon-status').textContent = '';
  $('#rcon-status').className = 'badge';
  $('#rcon-note').textContent = '';
  $('#circuit-kind').textContent = '—';
  $('#circuit-string').textContent = '';
  $('#choice-sentence').textContent = sentence;
  $('#param-table tbody').replaceChildren();
  renderDiagram(null);
  $('#fit-stats').replaceChildren();
  $('#spectrum-note').textContent = '';
  $('#choice-facts').replaceChildren();
  $('#sigma-scale').replaceChildren();
  $('#window-scale').replaceChildren();
  $('#candidate-table').hidden = true;
  $('#attribution-facts').replaceChildren();
  $('#attribution-paragraph').textContent = '';
  $('#isw-table tbody').replaceChildren();
  document.body.classList.add('no-result');
}

/**
 * `context.assumed`: the pellet fields still at their default value, as
 * `{what: 'thickness' | 'diameter', text}` (the σ note says they are assumed).
 */
export function renderResult(entry, context = {}) {
  $('#result-file').textContent = entry.name;
  const tag = $('#result-tag');
  tag.hidden = !entry.example;
  tag.textContent = 'synthetic example, not a measurement';
  if (entry.state === 'error' || !entry.result) {
    showError(entry.error);
    clearResult(entry.state === 'fitting' ? 'Fitting…' : '');
    return;
  }
  showError(null);
  document.body.classList.remove('no-result');
  // The analysis is data; every sentence and every number beside it is the core's report.
  const { analysis: a, report } = entry.result;
  renderHeadline(a, report, context.assumed ?? []);
  renderParams(a, report);
  renderDiagram(entry);
  renderChoice(a, report);
  renderAttribution(a, report);
}

/**
 * Badges that say a result is not to be trusted as it stands: not converged, a
 * poor fit (rms misfit > 5 %), R_con extrapolated beyond the data. `compact` for
 * the spectrum list.
 */
export function qualityBadges(a, compact = false, report = null) {
  const out = [];
  if (!a) return out;
  const s = a.stats ?? {};
  if (s.converged === false) {
    out.push(el('span', { class: 'badge bad', 'data-quality': 'not-converged', title: 'The fit did not converge: the numbers are where it stopped.' }, 'not converged'));
  }
  if (typeof s.rms_relative === 'number' && s.rms_relative > 0.05) {
    const pct = report?.figures?.rms ?? `${sig(100 * s.rms_relative, 2)} %`;
    out.push(el('span', { class: 'badge warn', 'data-quality': 'poor-fit', title: `rms relative misfit ${pct} (above 5 %): the circuit does not describe this spectrum well.` }, compact ? `rms ${pct}` : `poor fit (rms ${pct})`));
  }
  if (a.r_con_ohm?.status === 'extrapolated') {
    out.push(el('span', { class: 'badge warn', 'data-quality': 'extrapolated', title: report?.r_con_reason ?? 'R_con lies beyond the measured data.' }, compact ? 'extrap.' : 'R_con extrapolated'));
  }
  if (a.choice?.arc_extrapolated) {
    out.push(el('span', { class: 'badge warn', 'data-quality': 'arc-extrapolated', title: report?.arc_note ?? 'The arc\'s apex lies above the window.' }, compact ? 'R1/R2 extrap.' : 'R1/R2 split extrapolated'));
  }
  return out;
}

function renderQuality(a, report) {
  $('#quality-badges').replaceChildren(...qualityBadges(a, false, report));
  const list = $('#analysis-notes');
  const notes = [...report.notes, report.arc_note, report.boundary_note, report.lead_note].filter((n) => typeof n === 'string' && n.trim());
  list.replaceChildren(...notes.map((n) => el('li', {}, n)));
  list.hidden = notes.length === 0;
}

/**
 * What the ± beside σ holds (the core says: the fit's alone, or with the geometry's
 * uncertainties), and whether the pellet behind σ is the user's: a geometry still at
 * its default is an assumption.
 */
export function sigmaNoteLines(uncertaintyNote, assumed) {
  const lines = uncertaintyNote ? [[uncertaintyNote, 'spread']] : [];
  if (assumed.length === 2) lines.push([`assumed pellet ${assumed[0].text} mm × ${assumed[1].text} mm: enter yours`, 'assumed']);
  else if (assumed.length === 1) lines.push([`assumed ${assumed[0].what} ${assumed[0].text} mm: enter yours`, 'assumed']);
  return lines;
}

function renderHeadline(a, report, assumed) {
  renderQuality(a, report);
  const sigma = a.sigma_S_per_cm;
  setResult('sigma', sigma ? sigma.value : null);
  $('#sigma-text').textContent = sigma ? withError(sigma.value, sigma.stderr) : 'none';
  $('#sigma-unit').hidden = !sigma;
  // Two different reasons for no σ: no R_con at all (the core says why), or no geometry.
  let sigmaNote = '';
  if (!sigma && !a.r_con_ohm) sigmaNote = `No R_con, so no σ: ${report.r_con_missing ?? ''}`;
  else if (!sigma) sigmaNote = 'Give thickness d and diameter D to get σ from R_con.';
  const note = $('#sigma-note');
  if (sigma) {
    // What the ± holds, and (on a line of its own, in the warning colour) an assumed pellet.
    note.replaceChildren(...sigmaNoteLines(report.uncertainty_note, assumed).map(([text, cls]) => el('span', { class: `note-line ${cls}` }, text)));
  } else {
    note.textContent = sigmaNote;
  }
  const r = a.r_con_ohm;
  setResult('r-con', r ? r.value : null);
  $('#rcon-text').textContent = r ? ohm(r.value, r.stderr) : 'none';
  $('#rcon-text').title = !r && report.r_con_missing ? report.r_con_missing : '';
  const status = $('#rcon-status');
  if (r && r.status) {
    status.textContent = r.status;
    status.className = `badge ${r.status}`;
    status.title = report.r_con_reason ?? '';
  } else {
    status.textContent = '';
    status.className = 'badge';
  }
  const notes = [];
  if (r && r.lead_ohm) notes.push(`fitted DC ${ohm(r.fitted_dc_ohm)} − leads ${ohm(r.lead_ohm)}`);
  if (r && r.status === 'extrapolated') notes.push('extrapolated beyond the data');
  if (a.choice.arc_extrapolated) notes.push('R1/R2 split extrapolated (apex above the window)');
  $('#rcon-note').textContent = notes.join('; ');
  setResult('circuit', a.kind);
  $('#circuit-kind').textContent = a.preset ? PRESET_TEXT[a.preset] : `${KIND_TEXT[a.kind] ?? a.kind}`;
  $('#circuit-string').textContent = `${a.circuit} = ${a.circuit_boukamp} · ${METHOD_TEXT[a.choice.method] ?? a.choice.method}`;
  $('#choice-sentence').textContent = report.choice_sentence;
}

function paramName(name) {
  // R1 → R<sub>1</sub>, CPE2.alpha → CPE<sub>2</sub> α
  const m = /^([A-Za-z]+)(\d+)(?:\.(\w+))?$/.exec(name);
  if (!m) return name;
  const suffix = m[3] === 'alpha' ? ' α' : m[3] ? ` ${m[3]}` : '';
  return `<i>${m[1]}</i><sub>${m[2]}</sub>${suffix}`;
}

/**
 * The fitted circuit as the core draws it (SVG text from Rust, every label escaped
 * there), parsed as SVG rather than set as HTML so nothing in it can run.
 */
function renderDiagram(entry) {
  const box = $('[data-result="circuit-diagram"]');
  const svgText = entry?.loaded?.circuitDiagramSvg ?? null;
  const root = svgText ? new DOMParser().parseFromString(svgText, 'image/svg+xml').documentElement : null;
  if (!root || root.nodeName !== 'svg') {
    box.replaceChildren();
    box.dataset.value = '';
    return;
  }
  box.replaceChildren(document.importNode(root, true));
  box.dataset.value = entry.result?.analysis?.circuit ?? '';
}

function renderParams(a, report) {
  const body = $('#param-table tbody');
  body.replaceChildren();
  for (const name of a.param_order) {
    const p = a.params[name];
    if (!p) continue;
    const statusNote = { fixed: 'fixed', at_lower_bound: 'at its lower bound', at_upper_bound: 'at its upper bound' }[p.status];
    const value = report.figures[`param:${name}`] ?? withError(p.value, p.stderr, p.unit);
    const tr = el('tr', {},
      el('th', { scope: 'row', html: paramName(name) }),
      el('td', { class: 'num' }, value, statusNote ? el('span', { class: 'flag' }, ` ${statusNote}`) : ''));
    body.append(tr);
  }
  const s = a.stats;
  facts($('#fit-stats'), [
    ['Points fitted', `${a.spectrum.n_fitted} of ${a.spectrum.n_points} (${report.figures.fitted_f_min} – ${report.figures.fitted_f_max})`],
    ['Weighting', s.weighting],
    ['rms misfit', report.figures.rms],
    ['χ²<sub>red</sub>', report.figures.chi2_red],
    ['AIC / BIC', `${report.figures.aic} / ${report.figures.bic}`],
    ['Converged', `${s.converged ? 'yes' : 'NO'} (${s.iterations} iterations${s.starts > 1 ? `, ${s.starts} starts` : ''})`],
  ]);
  const warn = a.spectrum.warnings.length ? ` Warnings: ${a.spectrum.warnings.join('; ')}.` : '';
  $('#spectrum-note').textContent = `Import: ${report.imag_convention}.${warn}`;
}

// ---------------------------------------------------------------------------
// Circuit choice

function logTicks(lo, hi) {
  const out = [];
  for (let e = Math.ceil(lo); e <= Math.floor(hi); e += 1) out.push(e);
  return out;
}

/** The σ scale never spans more than this (S/cm, as powers of ten); beyond it, arrows. */
const SIGMA_LO = -8;
const SIGMA_HI = 2;

/** Rough width of an SVG label (px) at the scale's font size, for placing labels apart. */
function textWidth(text, size = 11.5) {
  return text.length * size * 0.56;
}

/**
 * A label at x on the scale, kept inside [x0, x1]: anchored at its start, middle or
 * end so it is never clipped, and marked with an arrow when its value is off scale.
 */
function edgeLabel(xv, text, y, cls, [x0, x1]) {
  const w = textWidth(text);
  let anchor = 'middle';
  let x = xv;
  if (xv - w / 2 < x0) { anchor = 'start'; x = Math.max(x0, xv - 6); }
  if (xv + w / 2 > x1) { anchor = 'end'; x = Math.min(x1, xv + 6); }
  return svg('text', { x, y, class: cls, 'text-anchor': anchor }, text);
}

function renderSigmaScale(a) {
  const root = $('#sigma-scale');
  root.replaceChildren();
  const sigma = a.sigma_S_per_cm?.value;
  const b = a.choice.boundary ?? {};
  const good = (v) => typeof v === 'number' && v > 0 && Number.isFinite(v);
  const lg = [1e-3, b.sigma_s_per_cm, b.own_sigma_s_per_cm, sigma].filter(good).map(Math.log10);
  // Room for every mark, but never wider than 1e-8 … 1e2 S/cm: a runaway value
  // must not squash the scale; it is drawn as an arrow at the edge instead.
  const lo = Math.max(SIGMA_LO, Math.min(-6, Math.floor(Math.min(...lg)) - 1));
  const hi = Math.min(SIGMA_HI, Math.max(0, Math.ceil(Math.max(...lg)) + 1));
  const [x0, x1] = [14, 446];
  // Rows, top to bottom: σ label, paper label, band (zone labels), axis, ticks, window label, own label.
  const [rowSigma, rowPaper, y, rowTicks, rowWindow, rowOwn] = [13, 31, 58, 74, 94, 110];
  const clampX = (v) => {
    const t = (Math.log10(v) - lo) / (hi - lo);
    return { x: x0 + Math.min(1, Math.max(0, t)) * (x1 - x0), off: t < 0 ? -1 : t > 1 ? 1 : 0 };
  };
  const xp = clampX(1e-3).x;
  root.append(
    svg('rect', { x: x0, y: y - 16, width: xp - x0, height: 16, class: 'zone-b' }),
    svg('rect', { x: xp, y: y - 16, width: x1 - xp, height: 16, class: 'zone-a' }),
  );
  // Zone labels stay clear of the σ dot: in the larger free part of their zone,
  // shortened when even that is too narrow.
  const xsDot = good(sigma) ? clampX(sigma).x : null;
  for (const [from, to, long, short] of [[x0, xp, 'semicircle (b) expected', '(b)'], [xp, x1, 'inductive (a) expected', '(a)']]) {
    let segs = [[from, to]];
    if (xsDot !== null && xsDot > from - 8 && xsDot < to + 8) segs = [[from, xsDot - 9], [xsDot + 9, to]];
    const [s0, s1] = segs.reduce((best, seg) => (seg[1] - seg[0] > best[1] - best[0] ? seg : best));
    const room = s1 - s0 - 6;
    const text = textWidth(long, 10.5) <= room ? long : textWidth(short, 10.5) <= room ? short : '';
    if (text) root.append(svg('text', { x: (s0 + s1) / 2, y: y - 4.5, class: 'zone-label', 'text-anchor': 'middle' }, text));
  }
  root.append(svg('line', { x1: x0, x2: x1, y1: y, y2: y, class: 'axis' }));
  for (const e of logTicks(lo, hi)) {
    const xt = clampX(10 ** e).x;
    root.append(svg('line', { x1: xt, x2: xt, y1: y, y2: y + 5, class: 'axis' }));
    root.append(svg('text', { x: xt, y: rowTicks, class: 'tick', 'text-anchor': 'middle' }, `10${superscript(e)}`));
  }
  root.append(svg('text', { x: x1, y: rowPaper, class: 'tick', 'text-anchor': 'end' }, 'σ / S cm⁻¹'));
  // Paper rule: a solid line through the band, label above.
  root.append(svg('line', { x1: xp, x2: xp, y1: y - 22, y2: y + 4, class: 'mark-paper' }));
  root.append(svg('text', { x: xp, y: rowPaper, class: 'mark-label', 'text-anchor': 'middle' }, 'paper: 10⁻³'));
  // Window boundary (C·d/A)max·fmax and this pellet's own: lines through the band,
  // labels in their own rows under the tick labels, joined by a leader.
  const boundary = (value, row, cls, name) => {
    if (!good(value)) return;
    const { x: xv, off } = clampX(value);
    root.append(svg('line', { x1: xv, x2: xv, y1: y - 16, y2: y + 4, class: `mark-${cls}` }));
    root.append(svg('line', { x1: xv, x2: xv, y1: rowTicks + 4, y2: row - 10, class: `mark-${cls}` }));
    const arrow = off < 0 ? '← ' : '';
    const tail = off > 0 ? ' →' : '';
    root.append(edgeLabel(xv, `${arrow}${name}: ${sci(value, '', 3)}${tail}`, row, `mark-label ${cls}`, [x0, x1]));
  };
  boundary(b.sigma_s_per_cm, rowWindow, 'window', 'window');
  boundary(b.own_sigma_s_per_cm, rowOwn, 'own', 'own C·d/A');
  if (good(sigma)) {
    const { x: xs, off } = clampX(sigma);
    root.append(svg('line', { x1: xs, x2: xs, y1: rowSigma + 4, y2: y, class: 'mark-sigma-stem' }));
    if (off === 0) {
      root.append(svg('circle', { cx: xs, cy: y, r: 5.5, class: 'mark-sigma' }));
    } else {
      const d = off > 0 ? `M${xs + 7},${y - 8} L${xs - 3},${y - 14} L${xs - 3},${y - 2} Z` : `M${xs - 7},${y - 8} L${xs + 3},${y - 14} L${xs + 3},${y - 2} Z`;
      root.append(svg('path', { d, class: 'mark-sigma' }));
    }
    const text = `${off < 0 ? '← ' : ''}this σ = ${sci(sigma, 'S/cm', 3)}${off > 0 ? ' → (off scale)' : off < 0 ? ' (off scale)' : ''}`;
    root.append(edgeLabel(xs, text, rowSigma, 'mark-label sigma', [x0, x1]));
  } else {
    const why = a.r_con_ohm ? 'give thickness and diameter to place σ' : 'no R_con, so no σ to place';
    root.append(svg('text', { x: (x0 + x1) / 2, y: rowSigma, class: 'mark-label', 'text-anchor': 'middle' }, why));
  }
}

function renderWindowScale(a, report) {
  const root = $('#window-scale');
  root.replaceChildren();
  const { fitted_f_min_hz: fmin, fitted_f_max_hz: fmax, apex } = a.choice;
  if (!(fmin > 0 && fmax > 0)) return;
  const vals = [fmin, fmax, apex?.f_apex_hz].filter((v) => v > 0 && Number.isFinite(v));
  // At most three decades beyond the window either side; an apex further out sits at the edge.
  const lo = Math.max(Math.floor(Math.log10(fmin)) - 3, Math.floor(Math.log10(Math.min(...vals))) - 1);
  const hi = Math.min(Math.ceil(Math.log10(fmax)) + 3, Math.ceil(Math.log10(Math.max(...vals))) + 1);
  const [x0, x1, y] = [14, 446, 50];
  const x = (v) => x0 + Math.min(1, Math.max(0, (Math.log10(v) - lo) / (hi - lo))) * (x1 - x0);
  root.append(
    svg('rect', { x: x(fmin), y: y - 14, width: Math.max(1, x(fmax) - x(fmin)), height: 14, class: 'window-band' }),
    svg('text', { x: (x(fmin) + x(fmax)) / 2, y: y - 3.5, class: 'zone-label', 'text-anchor': 'middle' }, `fitted window ${hz(fmin)} – ${hz(fmax)}`),
    svg('line', { x1: x0, x2: x1, y1: y, y2: y, class: 'axis' }),
  );
  for (const e of logTicks(lo, hi)) {
    const xt = x(10 ** e);
    root.append(svg('line', { x1: xt, x2: xt, y1: y, y2: y + 5, class: 'axis' }));
    root.append(svg('text', { x: xt, y: y + 18, class: 'tick', 'text-anchor': 'middle' }, `10${superscript(e)}`));
  }
  root.append(svg('text', { x: x1, y: y + 32, class: 'tick', 'text-anchor': 'end' }, 'f / Hz'));
  if (apex && apex.f_apex_hz > 0 && Number.isFinite(apex.f_apex_hz)) {
    const xa = x(apex.f_apex_hz);
    root.append(svg('line', { x1: xa, x2: xa, y1: 16, y2: y, class: 'mark-sigma-stem' }));
    root.append(svg('path', { d: `M${xa - 6},${y - 20} L${xa + 6},${y - 20} L${xa},${y - 12} Z`, class: 'mark-apex' }));
    const anchor = xa > x1 - 100 ? 'end' : xa < x0 + 100 ? 'start' : 'middle';
    root.append(svg('text', { x: xa, y: 11, class: 'mark-label sigma', 'text-anchor': anchor }, `apex ${hz(apex.f_apex_hz)} (τ₂ = ${sci(apex.tau2_s, 's', 3)})`));
  } else {
    const why = a.kind === 'inductive' ? 'no semicircle fitted: no apex' : 'no apex: this fit gives no finite τ₂';
    root.append(svg('text', { x: (x0 + x1) / 2, y: 12, class: 'mark-label', 'text-anchor': 'middle' }, why));
  }
}

function renderChoice(a, report) {
  const c = a.choice;
  const f = report.figures;
  renderSigmaScale(a);
  renderWindowScale(a, report);
  const rule = c.paper_rule;
  const position = {
    resolved: 'τ₂ ≥ 1/f_max: the arc’s high-frequency side is inside the window',
    near_top: 'inside the window, but τ₂ < 1/f_max: the arc’s high-frequency side is not measured',
    above_window: 'above the window',
    below_window: 'below the window: the arc does not close',
  };
  const status = a.r_con_ohm?.status ?? null;
  const statusNode = el('span', {}, el('span', { class: `badge ${status ?? ''}` }, status ?? 'none'), ` ${report.r_con_reason ?? report.r_con_missing ?? ''}`);
  facts($('#choice-facts'), [
    ['How chosen', METHOD_TEXT[c.method] + (f.delta_bic ? ` (ΔBIC = ${f.delta_bic})` : '')],
    ['Paper’s rule', rule ? `suggests ${KIND_TEXT[rule.suggests]}: ${rule.agrees ? 'agrees' : 'DISAGREES with the circuit used'}` : a.r_con_ohm ? 'needs the geometry' : 'no R_con, so no σ to judge'],
    ['Window boundary', `(C·d/A)max · f_max = ${f.c_norm_max} × ${f.fitted_f_max} = ${f.boundary_sigma}`, ' (C·d/A)max is a setting (Attribution): the largest interparticle value of the study’s pellets.'],
    ['Own boundary', f.own_boundary_sigma ? `C·d/A = ${f.own_c_norm} → ${f.own_boundary_sigma}` : null],
    ['τ<sub>2</sub> and apex', c.apex ? `τ₂ = ${f.tau2}, apex at 1/(2π τ₂) = ${f.f_apex}, ${position[c.apex.position] ?? c.apex.position}` : null],
    ['<i>R</i><sub>con</sub>', statusNode],
  ]);
  const table = $('#candidate-table');
  const body = table.querySelector('tbody');
  body.replaceChildren();
  table.hidden = !c.candidates.length;
  for (const [i, cand] of c.candidates.entries()) {
    const chosen = cand.preset === a.preset;
    body.append(el('tr', { class: chosen ? 'chosen' : '' },
      el('th', { scope: 'row' }, PRESET_TEXT[cand.preset] ?? cand.preset, chosen ? el('span', { class: 'flag' }, ' used') : ''),
      el('td', { class: 'num' }, f[`candidate:${i}:bic`] ?? '—'),
      el('td', { class: 'num' }, f[`candidate:${i}:rms`] ?? '—'),
      el('td', { class: 'num' }, f[`candidate:${i}:r_con`] ?? '—'),
      el('td', { class: 'num' }, cand.sigma_s_per_cm !== null ? sci(cand.sigma_s_per_cm, '', 3) : '—')));
  }
}

// ---------------------------------------------------------------------------
// Capacitance attribution

const ISW_LO = -13;
const ISW_HI = -3;

function iswBar(row, cNorm) {
  const w = 160;
  const h = 14;
  const x = (v) => ((Math.log10(v) - ISW_LO) / (ISW_HI - ISW_LO)) * w;
  const root = svg('svg', { viewBox: `0 0 ${w} ${h}`, class: 'isw-bar', 'aria-hidden': 'true' });
  root.append(svg('rect', { x: 0, y: h / 2 - 0.5, width: w, height: 1, class: 'isw-track' }));
  root.append(svg('rect', { x: x(row.low_f_per_cm), y: 2, width: Math.max(2, x(row.high_f_per_cm) - x(row.low_f_per_cm)), height: h - 4, rx: 2, class: 'isw-range' }));
  if (cNorm > 0) {
    const xc = Math.min(w - 1, Math.max(1, x(cNorm)));
    root.append(svg('line', { x1: xc, x2: xc, y1: 0, y2: h, class: 'isw-mark' }));
  }
  return root;
}

const C_METHOD = {
  ideal_capacitor: 'an ideal capacitor',
  hsu_mansfeld: 'Hsu–Mansfeld: (Q·R^(1−α))^(1/α)',
};

function renderAttribution(a, report) {
  const c = a.capacitance;
  const f = report.figures;
  $('#attribution-body').hidden = !c;
  $('#attribution-none').hidden = !!c;
  if (!c) {
    $('#attribution-none').textContent = report.capacitance_missing ?? '';
    return;
  }
  facts($('#attribution-facts'), [
    ['<i>C</i><sub>eff</sub>', f.c_eff, ` ${C_METHOD[c.method] ?? c.method}`],
    ['<i>C</i>/<i>A</i>', f.c_per_area ?? null],
    ['<i>C</i>·<i>d</i>/<i>A</i>', f.c_norm ?? null],
    ['<i>C</i><sub>bulk</sub>', f.c_bulk ? `${f.c_bulk} (${f.c_bulk_per_area}) with ε_r = ${f.eps_r}` : null],
    ['<i>C</i><sub>eff</sub> / <i>C</i><sub>bulk</sub>', f.ratio_to_bulk ?? null],
    ['Implied layer', f.layer ? `${f.layer} between ${f.particle} particles` : null],
  ]);
  $('#attribution-paragraph').textContent = report.capacitance_paragraph ?? '';
  const body = $('#isw-table tbody');
  body.replaceChildren();
  for (const t of c.table) {
    const r = t; // rows are flattened: {low_f_per_cm, high_f_per_cm, phenomenon, candidate}
    body.append(el('tr', { class: t.candidate ? 'candidate' : '' },
      el('th', { scope: 'row' }, r.phenomenon, t.candidate ? el('span', { class: 'flag' }, ' candidate') : ''),
      el('td', { class: 'num' }, `${sci(r.low_f_per_cm, '', 1)} – ${sci(r.high_f_per_cm, '', 1)}`),
      el('td', { class: 'bar-col' }, iswBar(r, c.c_norm_f_per_cm))));
  }
}
