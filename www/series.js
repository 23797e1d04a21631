// The pressure-series view: a table of every spectrum (series, measurement order,
// pressure, branch, thickness, circuit, R_con and σ with their errors, fit quality),
// σ_eff against pressure drawn by the core, and the numbers the study discusses per
// series and cycle. Ordering, branches, cycles and the summary are the core's
// (src/series.rs); this file only lays them out.

import { drawSeries, seriesSvg, summariseSeries, parseNumber } from '../pkg/sigmafit.js';
import { withError, sig } from './format.js';
import { qualityBadges } from './views.js';

const $ = (sel) => document.querySelector(sel);

/** Redraws of the plot and summary while results stream in, at most this often. */
const PLOT_INTERVAL_MS = 500;

const KIND_SHORT = { inductive: '(a) inductive', semicircle: '(b) semicircle', custom: 'custom' };

function cell(className = '') {
  const node = document.createElement('div');
  node.setAttribute('role', 'cell');
  if (className) node.className = className;
  return node;
}

/** A number typed into a table cell, by the core's parser (decimal comma allowed); null if blank. */
function typedNumber(text) {
  const trimmed = text.trim();
  if (!trimmed) return { value: null };
  try {
    return { value: parseNumber(trimmed) };
  } catch (e) {
    return { error: e?.message ?? String(e) };
  }
}

export class SeriesView {
  /**
   * @param {{entries: () => any[], selectedId: () => number|null, select: (id:number) => void,
   *          pressureOf: (entry:any) => number|null, edited: (entry:any, what:string) => void}} app
   */
  constructor(app) {
    this.app = app;
    this.axis = 'log';
    this.curves = [];
  }

  wire() {
    $('#series-axis').addEventListener('change', (ev) => {
      this.axis = ev.target.value;
      this.drawPlot();
    });
    // The canvas's size is watched, not measured at each redraw: measuring would force
    // a layout of the whole table while results stream in.
    this.canvasSize = null;
    let timer = null;
    new ResizeObserver(([observed]) => {
      const box = observed.contentBoxSize?.[0];
      this.canvasSize = box ? { width: box.inlineSize, height: box.blockSize } : null;
      clearTimeout(timer);
      timer = setTimeout(() => this.drawPlot(), 80);
    }).observe($('#plot-series'));
  }

  /** The series shown: a series view makes sense from two spectra, or one with a pressure. */
  visible() {
    const entries = this.app.entries();
    return entries.length >= 2 || entries.some((e) => this.app.pressureOf(e) !== null);
  }

  /** Entries in table order: series by first appearance, then measurement order. */
  ordered() {
    const entries = this.app.entries();
    const firstSeen = new Map();
    for (const e of entries) {
      const key = e.placement?.series ?? e.name;
      if (!firstSeen.has(key)) firstSeen.set(key, firstSeen.size);
    }
    return [...entries].sort((a, b) => {
      const sa = firstSeen.get(a.placement?.series ?? a.name);
      const sb = firstSeen.get(b.placement?.series ?? b.name);
      return sa - sb || (a.placement?.order ?? 0) - (b.placement?.order ?? 0) || a.given - b.given;
    });
  }

  /** The whole table again, in one pass (after spectra were added or removed, or reordered). */
  rebuild() {
    const panel = $('#series-panel');
    panel.hidden = !this.visible();
    const body = $('#series-table .series-rows');
    const fragment = document.createDocumentFragment();
    for (const entry of this.ordered()) {
      if (!entry.seriesRow) entry.seriesRow = this.makeRow(entry);
      this.updateRow(entry);
      fragment.append(entry.seriesRow);
    }
    body.replaceChildren(fragment);
    this.refresh();
  }

  placementsChanged() {
    this.rebuild();
  }

  makeRow(entry) {
    const tr = document.createElement('div');
    tr.className = 'series-grid-row';
    tr.setAttribute('role', 'row');
    tr.dataset.seriesRow = '';
    tr.dataset.file = entry.name;
    tr.tabIndex = 0;
    tr.title = `${entry.name}: click to show its fit`;
    const pressure = document.createElement('input');
    pressure.className = 'cell-input';
    pressure.inputMode = 'decimal';
    pressure.setAttribute('aria-label', `Pressure of ${entry.name} in MPa`);
    pressure.addEventListener('change', () => {
      const typed = typedNumber(pressure.value);
      if (typed.error || (typed.value !== null && !(typed.value >= 0))) {
        pressure.setAttribute('aria-invalid', 'true');
        pressure.title = typed.error ?? 'a pressure is a number ≥ 0 (MPa)';
        return;
      }
      pressure.removeAttribute('aria-invalid');
      pressure.title = '';
      // A blank cell gives the file's own pressure back (its header line, else its name).
      entry.typedPressureMpa = typed.value;
      this.app.edited(entry, 'pressure');
    });
    const thickness = document.createElement('input');
    thickness.className = 'cell-input';
    thickness.inputMode = 'decimal';
    thickness.setAttribute('aria-label', `Thickness of ${entry.name} in mm (blank: the settings' value)`);
    thickness.addEventListener('change', () => {
      const typed = typedNumber(thickness.value);
      if (typed.error || (typed.value !== null && !(typed.value > 0))) {
        thickness.setAttribute('aria-invalid', 'true');
        thickness.title = typed.error ?? 'a thickness is a number > 0 (mm)';
        return;
      }
      thickness.removeAttribute('aria-invalid');
      thickness.title = '';
      // The text goes to the core as typed (as the settings form's does); the number to exports.
      entry.thicknessMm = typed.value === null ? null : thickness.value.trim();
      entry.thicknessValueMm = typed.value;
      this.app.edited(entry, 'thickness');
    });
    const cells = {
      series: cell('series-name'),
      order: cell('num'),
      pressure: cell('num'),
      branch: cell('branch'),
      thickness: cell('num'),
      file: cell('file'),
      kind: cell('kind'),
      rcon: cell('num'),
      sigma: cell('num'),
      quality: cell('quality-cell'),
    };
    cells.pressure.append(pressure);
    cells.thickness.append(thickness);
    tr.append(...Object.values(cells));
    tr.cells$ = { ...cells, pressureInput: pressure, thicknessInput: thickness };
    tr.addEventListener('click', (ev) => {
      if (ev.target instanceof HTMLInputElement) return;
      this.app.select(entry.id);
    });
    tr.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !(ev.target instanceof HTMLInputElement)) this.app.select(entry.id);
    });
    return tr;
  }

  updateRow(entry) {
    const tr = entry.seriesRow;
    if (!tr) return;
    const c = tr.cells$;
    const p = entry.placement;
    const pressure = this.app.pressureOf(entry);
    tr.classList.toggle('selected', entry.id === this.app.selectedId());
    tr.dataset.state = entry.state;
    if (pressure !== null) tr.dataset.pressureMpa = String(pressure);
    else delete tr.dataset.pressureMpa;
    if (p?.branch) tr.dataset.branch = p.branch;
    else delete tr.dataset.branch;
    const a = entry.state === 'done' ? entry.result?.analysis : null;
    const sigma = a?.sigma_S_per_cm;
    if (typeof sigma?.value === 'number') tr.dataset.sigma = String(sigma.value);
    else delete tr.dataset.sigma;

    c.series.textContent = p?.series ?? '';
    c.order.textContent = p?.order ? String(p.order) : '';
    if (document.activeElement !== c.pressureInput) {
      c.pressureInput.value = pressure === null ? '' : sig(pressure, 6);
      c.pressureInput.placeholder = pressure === null ? 'MPa?' : '';
    }
    const source = entry.typedPressureMpa !== null && entry.typedPressureMpa !== undefined ? 'typed'
      : entry.headerPressureMpa !== null && entry.headerPressureMpa !== undefined ? 'from the file’s header'
        : entry.nameInfo?.pressure_mpa !== null && entry.nameInfo?.pressure_mpa !== undefined ? 'from the file name' : 'unknown';
    c.pressureInput.dataset.source = source;
    if (!c.pressureInput.hasAttribute('aria-invalid')) c.pressureInput.title = `pressure ${source}`;
    c.branch.textContent = p?.branch ? `${p.branch}${p.cycle > 1 ? ` (cycle ${p.cycle})` : ''}` : (pressure === null ? 'no pressure' : '');
    if (document.activeElement !== c.thicknessInput) {
      c.thicknessInput.value = entry.thicknessMm ?? '';
      c.thicknessInput.placeholder = 'settings';
    }
    c.file.textContent = entry.name;
    c.file.title = entry.name;
    if (entry.state === 'error' || entry.state === 'cancelled') {
      c.rcon.textContent = '';
      c.sigma.textContent = '';
      c.quality.replaceChildren();
      const message = document.createElement('span');
      message.className = 'row-error-inline';
      message.textContent = entry.error ?? 'not fitted';
      c.kind.replaceChildren(message);
      c.kind.title = entry.error ?? '';
      c.kind.classList.add('error-cell');
      c.rcon.hidden = true;
      c.sigma.hidden = true;
      c.quality.hidden = true;
      return;
    }
    c.kind.classList.remove('error-cell');
    c.kind.title = '';
    c.rcon.hidden = false;
    c.sigma.hidden = false;
    c.quality.hidden = false;
    if (!a) {
      c.kind.textContent = entry.state === 'fitting' ? 'fitting…' : '';
      c.rcon.textContent = '';
      c.sigma.textContent = '';
      c.quality.replaceChildren();
      return;
    }
    c.kind.textContent = KIND_SHORT[a.kind] ?? a.kind;
    c.rcon.textContent = a.r_con_ohm ? withError(a.r_con_ohm.value, a.r_con_ohm.stderr, 'Ω') : 'none';
    c.sigma.textContent = sigma ? withError(sigma.value, sigma.stderr, 'S/cm') : '—';
    const rms = a.stats?.rms_relative;
    const badges = qualityBadges(a, true, entry.result.report);
    const rmsNode = document.createElement('span');
    rmsNode.className = 'rms';
    rmsNode.textContent = typeof rms === 'number' ? `${sig(100 * rms, 2)} %` : '';
    c.quality.replaceChildren(rmsNode, ...badges);
  }

  /** Series, each with its points in measurement order, as the core's plot and summary take them. */
  seriesPoints() {
    const bySeries = new Map();
    for (const entry of this.ordered()) {
      const key = entry.placement?.series ?? entry.name;
      if (!bySeries.has(key)) bySeries.set(key, { label: key, points: [], entries: [] });
      const sigma = entry.state === 'done' ? entry.result?.analysis?.sigma_S_per_cm : null;
      const p = entry.placement;
      const pressure = this.app.pressureOf(entry);
      if (!sigma || typeof sigma.value !== 'number' || pressure === null || !p?.branch) continue;
      bySeries.get(key).points.push({
        pressure_mpa: pressure, branch: p.branch, cycle: p.cycle ?? 1,
        sigma_s_per_cm: sigma.value, sigma_err: typeof sigma.stderr === 'number' ? sigma.stderr : null,
      });
      bySeries.get(key).entries.push(entry);
    }
    return [...bySeries.values()];
  }

  /**
   * Plot, summary and the fitted count again. While results stream in (`streaming`),
   * the plot and summary are redrawn at most every PLOT_INTERVAL_MS; the count always.
   */
  refresh({ streaming = false } = {}) {
    const entries = this.app.entries();
    const fitted = entries.filter((e) => e.state === 'done').length;
    const counter = $('[data-result="series-fitted"]');
    counter.dataset.value = String(fitted);
    counter.textContent = `${fitted} of ${entries.length} fitted`;
    $('#series-panel').hidden = !this.visible();
    if ($('#series-panel').hidden) return;
    const now = performance.now();
    if (streaming && now - (this.lastPlot ?? -Infinity) < PLOT_INTERVAL_MS) return;
    this.lastPlot = now;
    this.curves = this.seriesPoints();
    this.drawPlot();
    this.renderSummary();
    const plotted = this.curves.reduce((n, c) => n + c.points.length, 0);
    for (const id of ['#series-export-png', '#series-export-svg']) $(id).disabled = plotted === 0;
    $('#series-export-csv').disabled = entries.length === 0;
  }

  plotData() {
    return { series: this.curves.map(({ label, points }) => ({ label, points })), pressure_axis: this.axis };
  }

  drawPlot() {
    const canvas = $('#plot-series');
    if ($('#series-panel').hidden) return;
    const dpr = window.devicePixelRatio || 1;
    const rect = this.canvasSize ?? canvas.getBoundingClientRect();
    if (!rect.width || !rect.height) return;
    const w = Math.max(1, Math.round(rect.width * dpr));
    const h = Math.max(1, Math.round(rect.height * dpr));
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== h) canvas.height = h;
    this.drawOnto(canvas, dpr);
  }

  drawOnto(canvas, scale) {
    try {
      drawSeries(canvas, this.plotData(), scale);
    } catch (e) {
      canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
      console.warn(`series plot: ${e?.message ?? e}`);
    }
  }

  /** The series as SVG, drawn by the same core code as the canvas. */
  svg(width, height) {
    return seriesSvg(this.plotData(), width, height);
  }

  renderSummary() {
    const box = $('#series-summary');
    const fragment = document.createDocumentFragment();
    for (const curve of this.curves) {
      const section = document.createElement('section');
      section.className = 'series-card';
      section.dataset.series = curve.label;
      const head = document.createElement('h3');
      const swatchIndex = this.curves.indexOf(curve);
      head.className = `series-head swatch-${swatchIndex % 8}`;
      const label = document.createElement('input');
      label.className = 'series-label';
      label.value = curve.label;
      label.setAttribute('aria-label', `Label of the series ${curve.label}`);
      label.addEventListener('change', () => {
        const text = label.value.trim();
        if (!text) return;
        for (const entry of this.app.entries()) if ((entry.placement?.series ?? entry.name) === curve.label) entry.seriesLabel = text;
        this.app.edited(null, 'label');
      });
      head.append(label, Object.assign(document.createElement('span'), { className: 'subtle', textContent: ` ${curve.points.length} points` }));
      section.append(head);
      let lines = [];
      try {
        lines = summariseSeries(curve.points).flatMap((cycle) => cycle.lines);
      } catch (e) {
        lines = [`no summary: ${e?.message ?? e}`];
      }
      const list = document.createElement('ul');
      list.className = 'series-facts';
      for (const line of lines) list.append(Object.assign(document.createElement('li'), { textContent: line }));
      if (!lines.length) list.append(Object.assign(document.createElement('li'), { textContent: 'Not enough fitted points with a pressure yet.' }));
      section.append(list);
      fragment.append(section);
    }
    box.replaceChildren(fragment);
  }
}
