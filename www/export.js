// Export of all loaded spectra's results, each with its provenance
// (sigmafit version, every setting, the input file's name and SHA-256) and
// whether it is a synthetic example. No DOM use at import: node --test imports it.

/** Every setting any record carries (the core's schema keys), in a stable order. */
function settingKeys(recs) {
  return [...new Set(recs.flatMap((r) => Object.keys(r.settings ?? {})))].sort();
}

/**
 * One CSV cell. Numbers (finite JS numbers) are written as numbers, negative ones
 * included. Text that a spreadsheet would run as a formula (starting with = + - @,
 * a tab or a carriage return) gets a leading apostrophe, so it stays text.
 */
export function csvCell(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The spectra an export holds: the synthetic examples are left out, unless the user
 * keeps them (`keepExamples`) or they are all there is.
 */
export function exportedEntries(entries, keepExamples = false) {
  if (keepExamples) return entries;
  const data = entries.filter((e) => !e.example);
  return data.length ? data : entries;
}

/** One object per spectrum: provenance + analysis, or provenance + error. */
function records(entries, version, settings) {
  return entries.map((e) => {
    if (e.result) {
      const { provenance, analysis } = e.result;
      return { ...provenance, synthetic: Boolean(e.example), analysis };
    }
    // An error row still says which file (name and SHA-256) and which settings.
    return { sigmafit_version: version, file: e.name, sha256: e.sha256, synthetic: Boolean(e.example), settings: settings ?? null, error: e.error ?? 'not fitted' };
  });
}

export function exportJson(entries, version, settings) {
  const doc = {
    generator: `sigmafit ${version} (web page)`,
    exported_at: new Date().toISOString(),
    results: records(entries, version, settings),
  };
  return JSON.stringify(doc, null, 2);
}

export function exportCsv(entries, version, settings) {
  const recs = records(entries, version, settings);
  const keys = settingKeys(recs);
  const paramNames = [];
  for (const r of recs) {
    for (const name of r.analysis?.param_order ?? []) if (!paramNames.includes(name)) paramNames.push(name);
  }
  const header = [
    'file', 'sha256', 'sigmafit_version', 'synthetic', 'error',
    'sigma_S_per_cm', 'sigma_stderr_S_per_cm', 'r_con_ohm', 'r_con_stderr_ohm', 'r_con_status',
    'kind', 'circuit', 'preset', 'choice_method', 'delta_bic', 'paper_rule_agrees', 'window_boundary_S_per_cm',
    'tau2_s', 'f_apex_hz', 'apex_position', 'arc_extrapolated',
    'c_eff_F', 'c_eff_stderr_F', 'c_per_area_F_per_cm2', 'c_norm_F_per_cm', 'c_bulk_F', 'ratio_to_bulk', 'layer_thickness_nm', 'isw_candidates',
    ...paramNames.flatMap((n) => [n, `${n}_stderr`]),
    'n_points', 'n_fitted', 'f_min_fitted_hz', 'f_max_fitted_hz', 'weighting_used', 'rms_relative', 'chi2_reduced', 'aic', 'bic', 'converged',
    ...keys.map((k) => `setting_${k}`),
  ];
  const lines = [header.join(',')];
  for (const r of recs) {
    const a = r.analysis;
    const c = a?.capacitance;
    const row = [
      r.file, r.sha256, r.sigmafit_version, r.synthetic, r.error ?? '',
      a?.sigma_S_per_cm?.value, a?.sigma_S_per_cm?.stderr, a?.r_con_ohm?.value, a?.r_con_ohm?.stderr, a?.r_con_ohm?.status,
      a?.kind, a?.circuit, a?.preset, a?.choice?.method, a?.choice?.delta_bic, a?.choice?.paper_rule?.agrees,
      a?.choice?.boundary?.sigma_s_per_cm, a?.choice?.apex?.tau2_s, a?.choice?.apex?.f_apex_hz, a?.choice?.apex?.position, a?.choice?.arc_extrapolated,
      c?.c_eff_f, c?.c_eff_stderr_f, c?.c_per_area_f_per_cm2, c?.c_norm_f_per_cm, c?.c_bulk_f, c?.ratio_to_bulk, c?.layer_thickness_nm,
      c ? c.table.filter((t) => t.candidate).map((t) => t.phenomenon).join('; ') : '',
      ...paramNames.flatMap((n) => [a?.params?.[n]?.value, a?.params?.[n]?.stderr]),
      a?.spectrum?.n_points, a?.spectrum?.n_fitted, a?.choice?.fitted_f_min_hz, a?.choice?.fitted_f_max_hz, a?.stats?.weighting,
      a?.stats?.rms_relative, a?.stats?.chi2_reduced, a?.stats?.aic, a?.stats?.bic, a?.stats?.converged,
      ...keys.map((k) => r.settings?.[k]),
    ];
    lines.push(row.map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Saves a string or Blob as a file (a same-origin blob: URL; nothing is sent anywhere). */
export function download(name, type, content) {
  const blob = content instanceof Blob ? content : new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * The series table as CSV: one row per spectrum in table order, with its series,
 * cycle, branch, measurement order, pressure (and where it came from), thickness and
 * the fit's numbers, then the provenance (file, SHA-256, version, every setting).
 * `rows` are {entry, series, order, run, cycle, branch, pressure_mpa, pressure_source ("typed",
 * "header", "name" or null, as the CLI's JSON), thickness_mm}.
 */
export function exportSeriesCsv(rows, version, settings) {
  const keys = settings ? Object.keys(settings).sort() : [];
  const header = [
    'series', 'cycle', 'branch', 'order', 'run', 'pressure_MPa', 'pressure_source', 'thickness_mm', 'file',
    'kind', 'circuit', 'r_con_ohm', 'r_con_stderr_ohm', 'r_con_status', 'sigma_S_per_cm', 'sigma_stderr_S_per_cm',
    'rms_relative', 'quality', 'error', 'sha256', 'synthetic', 'sigmafit_version', ...keys.map((k) => `setting_${k}`),
  ];
  const lines = [header.join(',')];
  for (const r of rows) {
    const e = r.entry;
    const a = e.state === 'done' ? e.result?.analysis : null;
    const rowSettings = e.result?.provenance?.settings ?? settings ?? {};
    const quality = a ? (a.quality ?? []).map((q) => (q.param ? `${q.issue}:${q.param}` : q.issue)).join('; ') : '';
    const row = [
      r.series, r.cycle, r.branch, r.order, r.run, r.pressure_mpa, r.pressure_source, r.thickness_mm, e.name,
      a?.kind, a?.circuit, a?.r_con_ohm?.value, a?.r_con_ohm?.stderr, a?.r_con_ohm?.status,
      a?.sigma_S_per_cm?.value, a?.sigma_S_per_cm?.stderr, a?.stats?.rms_relative, quality,
      a ? '' : (e.error ?? 'not fitted'), e.sha256, Boolean(e.example), version,
      ...keys.map((k) => rowSettings[k]),
    ];
    lines.push(row.map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
