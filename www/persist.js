// What the user loaded and typed, kept in this browser's IndexedDB so that a reload
// (or a crashed tab) brings it back: each spectrum's bytes (the File itself, or the
// pasted text's bytes), its name and date, what was typed in its series row, and the
// settings form's fields. Nothing leaves the machine. Where IndexedDB is missing or
// refuses (a private window, a full disk), the page works as before, unremembered.

const DB_NAME = 'sigmafit';
const DB_VERSION = 1;
const SPECTRA = 'spectra';
const FIELDS = 'fields';
/** The one record of FIELDS: the settings form's values by input id. */
const FORM_KEY = 'settings-form';

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('the storage transaction was aborted'));
    tx.onerror = () => reject(tx.error);
  });
}

export class Store {
  /** The store, or null where this browser keeps nothing (no error reaches the page). */
  static async open() {
    if (typeof indexedDB === 'undefined') return null;
    try {
      const opening = indexedDB.open(DB_NAME, DB_VERSION);
      opening.onupgradeneeded = () => {
        const db = opening.result;
        if (!db.objectStoreNames.contains(SPECTRA)) db.createObjectStore(SPECTRA, { autoIncrement: true });
        if (!db.objectStoreNames.contains(FIELDS)) db.createObjectStore(FIELDS);
      };
      return new Store(await request(opening));
    } catch (e) {
      console.warn(`sigmafit: this browser's storage is not available, nothing will be remembered (${e?.message ?? e})`);
      return null;
    }
  }

  constructor(db) {
    this.db = db;
    /** The last write's failure, shown once (a full disk): the page goes on unremembered. */
    this.failed = null;
  }

  /** Everything kept: spectra in the order given ({key, name, data, lastModified, edits}) and the form. */
  async load() {
    const tx = this.db.transaction([SPECTRA, FIELDS], 'readonly');
    const spectraStore = tx.objectStore(SPECTRA);
    const [keys, values, form] = await Promise.all([
      request(spectraStore.getAllKeys()),
      request(spectraStore.getAll()),
      request(tx.objectStore(FIELDS).get(FORM_KEY)),
    ]);
    return { spectra: values.map((value, i) => ({ ...value, key: keys[i] })), form: form ?? null };
  }

  /**
   * Keeps spectra ({name, data: Blob or Uint8Array, lastModified, edits}); resolves to
   * their keys in the same order. One transaction for a whole drop.
   */
  async add(items) {
    if (!items.length) return [];
    const tx = this.db.transaction(SPECTRA, 'readwrite');
    const store = tx.objectStore(SPECTRA);
    const keys = items.map((item) => request(store.add(item)));
    return this.guard(Promise.all([Promise.all(keys), done(tx)]).then(([k]) => k), []);
  }

  /**
   * Changes fields of a kept spectrum: what was typed in its row (`{edits}`), or that
   * it crashed the page's WebAssembly (`{crashed: true}`, fitted only in a worker after
   * the reload).
   */
  async patch(key, fields) {
    const tx = this.db.transaction(SPECTRA, 'readwrite');
    const store = tx.objectStore(SPECTRA);
    const work = request(store.get(key)).then((record) => {
      if (record) store.put({ ...record, ...fields }, key);
    });
    return this.guard(Promise.all([work, done(tx)]), null);
  }

  async remove(keys) {
    if (!keys.length) return null;
    const tx = this.db.transaction(SPECTRA, 'readwrite');
    const store = tx.objectStore(SPECTRA);
    for (const key of keys) store.delete(key);
    return this.guard(done(tx), null);
  }

  async saveForm(values) {
    const tx = this.db.transaction(FIELDS, 'readwrite');
    tx.objectStore(FIELDS).put(values, FORM_KEY);
    return this.guard(done(tx), null);
  }

  /** Forgets every spectrum and the form. */
  async clear() {
    const tx = this.db.transaction([SPECTRA, FIELDS], 'readwrite');
    tx.objectStore(SPECTRA).clear();
    tx.objectStore(FIELDS).clear();
    return this.guard(done(tx), null);
  }

  /** A failed write is said once in the console and leaves the page as it is. */
  async guard(work, fallback) {
    try {
      return await work;
    } catch (e) {
      if (!this.failed) console.warn(`sigmafit: could not keep this in the browser's storage (${e?.message ?? e})`);
      this.failed = e ?? new Error('storage failed');
      return fallback;
    }
  }
}

/** The form's fields by id: text as typed, checkboxes as booleans. */
export function formValues(form) {
  const values = {};
  for (const input of form.querySelectorAll('input[id], select[id], textarea[id]')) {
    values[input.id] = input.type === 'checkbox' ? input.checked : input.value;
  }
  return values;
}

/**
 * Puts kept values back into the form's fields of the same id (a field no longer in
 * the form is left out); returns the ids whose value changed.
 */
export function restoreForm(form, values) {
  const changed = [];
  for (const [id, value] of Object.entries(values ?? {})) {
    const input = form.querySelector(`#${CSS.escape(id)}`);
    if (!input) continue;
    if (input.type === 'checkbox') {
      if (input.checked !== Boolean(value)) { input.checked = Boolean(value); changed.push(input); }
    } else if (typeof value === 'string' && input.value !== value) {
      // A select keeps its value only if it is one of its options.
      input.value = value;
      if (input.value === value) changed.push(input);
    }
  }
  return changed;
}
