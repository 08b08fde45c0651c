// Small helpers the page's modules share: finding elements, filling table cells, formatting
// numbers and durations, saving JSON, and writing the URL fragment.

import type { ParamValue } from '../experiments/types.js';
import { downloadBlob } from './download.js';
import { formatHash, type PageState } from './url-state.js';

export const byId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page element #${id} is missing`);
  return el as T;
};

export function formatNumber(v: ParamValue): string {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toPrecision(5) : v.toExponential(3);
}

export function cell(row: HTMLTableRowElement, text: string, className?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

export function downloadJson(fileName: string, data: unknown): void {
  downloadBlob(fileName, new Blob([`${JSON.stringify(data, null, 2)}\n`], { type: 'application/json' }));
}

/** 42 s, 3.5 min. */
export function formatDuration(seconds: number): string {
  return seconds < 90 ? `${Math.max(1, Math.round(seconds))} s` : `${(seconds / 60).toFixed(1)} min`;
}

/** Writes the state into the URL without adding history entries or firing hashchange. */
export function writeHash(state: PageState): void {
  history.replaceState(null, '', formatHash(state));
}
