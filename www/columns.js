// The column-mapping step: a delimited table whose header the core did not recognise
// (an import error with importKind 'columns_not_recognised') is shown with its first
// rows, and the user says which column is f, Z', Z'' (or |Z| and phase) and the sign of
// Z''. The answer is the core's column mapping ("f,re,-im", as the CLI's --columns) and
// is remembered in localStorage per table shape (the header's names and the number of
// columns, as the core states it), so the next file of the same shape is read at once.
import { el } from './dom.js';

const STORAGE_PREFIX = 'sigmafit.columns.';

/** What a column can hold: the core's mapping token and the label shown. */
const ROLES = [
  ['_', 'not used'],
  ['f', 'f (Hz)'],
  ['re', "Z' (Ω)"],
  ['im', "Z'' (Ω)"],
  ['-im', "−Z'' (Ω)"],
  ['mod', '|Z| (Ω)'],
  ['phase', 'phase (°)'],
  ['-phase', '−phase (°)'],
];

function remembered(shape) {
  try {
    return localStorage.getItem(STORAGE_PREFIX + shape);
  } catch {
    return null;
  }
}

function remember(shape, columns) {
  try {
    localStorage.setItem(STORAGE_PREFIX + shape, columns);
  } catch {
    // Storage may be off (private mode): the mapping then holds for this file only.
  }
}

/** A first guess from the rows: the first three numeric columns are f, Z', Z'' (−Z'' when mostly positive). */
function guess(found) {
  const roles = new Array(found.column_count).fill('_');
  const number = (text) => Number(String(text ?? '').replace(',', '.'));
  const numeric = roles
    .map((_, i) => i)
    .filter((i) => found.rows.length > 0 && found.rows.every((row) => String(row[i] ?? '').trim() !== '' && Number.isFinite(number(row[i]))));
  if (numeric.length >= 3) {
    const [f, re, im] = numeric;
    roles[f] = 'f';
    roles[re] = 're';
    const positive = found.rows.filter((row) => number(row[im]) > 0).length;
    roles[im] = positive > found.rows.length / 2 ? '-im' : 'im';
  }
  return roles;
}

/**
 * The step for one file; `apply(columns)` is called with the mapping the user chose.
 * Files that fail with the same shape while the step is open wait for its answer.
 */
export class ColumnMappingStep {
  constructor() {
    /** The step shown: { shape, waiting: the files' apply callbacks, node }. */
    this.open = null;
  }

  /**
   * Offers the mapping for a file refused with unrecognised columns: a remembered one is
   * applied at once (true); otherwise the step is shown (false).
   */
  offer(fileName, error, apply) {
    const found = error?.columnsFound;
    if (!found) return false;
    const known = remembered(found.shape);
    if (known) {
      apply(known);
      return true;
    }
    if (this.open?.shape === found.shape) {
      this.open.waiting.push(apply);
      return false;
    }
    if (this.open) {
      (this.queue ??= []).push([fileName, error, apply]);
      return false;
    }
    this.show(fileName, found, apply);
    return false;
  }

  show(fileName, found, apply) {
    const roles = guess(found);
    const selects = roles.map((role, i) =>
      el('select', { 'data-column-role': i, 'aria-label': `column ${i + 1}` },
        ...ROLES.map(([token, label]) => {
          const option = el('option', { value: token }, label);
          option.selected = token === role;
          return option;
        })));
    const header = el('tr', {}, ...selects.map((s) => el('th', {}, s)));
    const names = found.header.length
      ? [el('tr', { class: 'columns-names' }, ...Array.from({ length: found.column_count }, (_, i) => el('td', {}, found.header[i] ?? '')))]
      : [];
    const rows = found.rows.map((row) => el('tr', {}, ...Array.from({ length: found.column_count }, (_, i) => el('td', {}, row[i] ?? ''))));
    const problem = el('p', { class: 'columns-problem', role: 'alert' });
    const applyButton = el('button', { type: 'button', 'data-columns-apply': true }, 'Read the file');
    const cancel = el('button', { type: 'button', 'data-columns-cancel': true }, 'Cancel');
    const node = el('dialog', { class: 'columns-step', 'data-columns-step': true },
      el('h2', {}, `Which column is which in ${fileName}?`),
      el('p', {}, "The header was not recognised. Choose what each column holds; the choice is remembered for files with the same columns. Z'' is negative over a capacitive arc: a column that is positive there holds −Z''."),
      el('div', { class: 'columns-table' }, el('table', {}, el('thead', {}, header), el('tbody', {}, ...names, ...rows))),
      problem,
      el('div', { class: 'columns-buttons' }, applyButton, cancel));
    this.open = { shape: found.shape, waiting: [apply], node };
    applyButton.addEventListener('click', () => {
      const chosen = selects.map((s) => s.value);
      const count = (tokens) => chosen.filter((t) => tokens.includes(t)).length;
      const realImag = count(['re']) === 1 && count(['im', '-im']) === 1 && count(['mod', 'phase', '-phase']) === 0;
      const modPhase = count(['mod']) === 1 && count(['phase', '-phase']) === 1 && count(['re', 'im', '-im']) === 0;
      if (count(['f']) !== 1 || !(realImag || modPhase)) {
        problem.textContent = "Choose one frequency column, and either one Z' and one Z'' column or one |Z| and one phase column.";
        return;
      }
      // Trailing unused columns are left out: the core ignores columns past the mapping.
      while (chosen.length && chosen[chosen.length - 1] === '_') chosen.pop();
      const columns = chosen.join(',');
      remember(found.shape, columns);
      const waiting = this.open?.waiting ?? [];
      this.close();
      for (const applyTo of waiting) applyTo(columns);
      this.next();
    });
    cancel.addEventListener('click', () => {
      this.close();
      this.next();
    });
    document.body.append(node);
    node.showModal();
  }

  close() {
    const open = this.open;
    if (!open) return;
    open.node.close();
    open.node.remove();
    this.open = null;
  }

  next() {
    queueMicrotask(() => {
      const queued = this.queue?.shift();
      if (queued) this.offer(...queued);
    });
  }
}
